using k8s;

namespace ControlPlane.Kubernetes.Clusters;

/// <summary>The clients of a control plane that knows one cluster, its own.</summary>
public sealed class SingleClusterClients(string localClusterId, IKubernetes local) : IClusterClients
{
    public string LocalClusterId { get; } = localClusterId;

    public IKubernetes Local { get; } = local;

    public IKubernetes? ForCluster(string clusterId) =>
        clusterId.Length == 0 || clusterId == LocalClusterId ? Local : null;
}
