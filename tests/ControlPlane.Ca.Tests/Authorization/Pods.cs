using ControlPlane.Ambient.Model;

namespace ControlPlane.Ca.Tests.Authorization;

/// <summary>Pods as sources deliver them.</summary>
internal static class Pods
{
    public static Pod Make(string ns, string name, string node, string serviceAccount, string uid = "", string phase = "Running", string cluster = "Kubernetes") => new()
    {
        Meta = new ObjectMeta { Cluster = cluster, Namespace = ns, Name = name, Uid = uid },
        NodeName = node,
        ServiceAccount = serviceAccount,
        Phase = phase,
    };

    public static Task ApplyAsync(IObjectSink sink, params Pod[] pods) =>
        sink.ApplyAsync([.. pods.Select(ObjectChange.Upsert)], CancellationToken.None);

    public static Task DeleteAsync(IObjectSink sink, Pod pod) =>
        sink.ApplyAsync([ObjectChange.Delete(ObjectKey.Of(pod))], CancellationToken.None);
}
