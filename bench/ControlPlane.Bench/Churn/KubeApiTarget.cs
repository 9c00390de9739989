using ControlPlane.Testing.Kubernetes;

namespace ControlPlane.Bench.Churn;

/// <summary>
/// Changes objects through the Kubernetes API server double, as controllers and kubectl change a real
/// cluster: each change is one object written to the API server (a new resourceVersion, a watch event to
/// every informer). Returns once the double has stored it and queued the watch events.
/// </summary>
public sealed class KubeApiTarget(KubeApiServerDouble cluster) : IChurnTarget
{
    public string Name => "kube-api";

    public void Apply(ChurnObject obj, string yaml) => cluster.Apply(yaml);

    public void Delete(ChurnObject obj)
    {
        var resource = obj.Kind switch
        {
            "pod" => ApiResource.Pods,
            "service" => ApiResource.Services,
            "policy" => ApiResource.AuthorizationPolicies,
            _ => throw new ArgumentException($"cannot delete a {obj.Kind}", nameof(obj)),
        };
        cluster.Delete(resource, obj.Namespace, obj.Name);
    }
}
