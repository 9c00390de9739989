using System.Text;
using ControlPlane.Ambient.Collections;

namespace ControlPlane.Kubernetes.Clusters;

/// <summary>
/// A remote-cluster Secret (label <c>istio/multiCluster=true</c>): cluster id → kubeconfig, one per data
/// key. Printing it never shows the kubeconfigs.
/// </summary>
public sealed record RemoteSecret(string Namespace, string Name, StringMap Kubeconfigs)
{
    public string Key => $"{Namespace}/{Name}";

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Secret = ").Append(Key).Append(", Clusters = [").AppendJoin(", ", Kubeconfigs.Keys).Append(']');
        return true;
    }
}
