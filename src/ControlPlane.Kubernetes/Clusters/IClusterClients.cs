using k8s;

namespace ControlPlane.Kubernetes.Clusters;

/// <summary>
/// Kubernetes API clients by cluster id, as proxies name their cluster (the <c>clusterid</c> header,
/// istiod's <c>CLUSTER_ID</c>). Registered only when the control plane runs against Kubernetes.
/// </summary>
public interface IClusterClients
{
    /// <summary>Id of the cluster the control plane runs in.</summary>
    string LocalClusterId { get; }

    /// <summary>Client of the cluster the control plane runs in.</summary>
    IKubernetes Local { get; }

    /// <summary>
    /// The client for <paramref name="clusterId"/>: the local cluster for an empty id or the local id,
    /// a registered remote cluster by its id, null for a cluster we do not know.
    /// </summary>
    IKubernetes? ForCluster(string clusterId);
}
