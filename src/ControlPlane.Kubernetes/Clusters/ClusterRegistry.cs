using System.Collections.Immutable;
using ControlPlane.Ambient.Model;
using k8s;

namespace ControlPlane.Kubernetes.Clusters;

/// <summary>
/// The clusters being watched (local and remote), by id. As <see cref="IClusterClients"/> (registered in
/// Kubernetes mode only) it hands out their API clients.
/// </summary>
public sealed class ClusterRegistry(MeshSettings settings) : IClusterClients
{
    private readonly Lock _gate = new();
    private ImmutableSortedDictionary<string, KubeCluster> _clusters = ImmutableSortedDictionary.Create<string, KubeCluster>(StringComparer.Ordinal);

    public string LocalClusterId => settings.ClusterId;

    /// <summary>Ids of the clusters with a usable client (the local one and remotes with a valid kubeconfig).</summary>
    public IReadOnlyCollection<string> ClusterIds => [.. Volatile.Read(ref _clusters).Values.Where(c => c.Client is not null).Select(c => c.Id)];

    public IReadOnlyCollection<KubeCluster> Clusters => [.. Volatile.Read(ref _clusters).Values];

    public IKubernetes Local => ForCluster(LocalClusterId) ?? throw new InvalidOperationException("the local cluster is not registered (the control plane does not run against Kubernetes)");

    /// <summary>
    /// The local client for an empty id or the local id; a remote cluster's by its id; null when unknown
    /// or without a valid kubeconfig. Ask per use: a remote's client is disposed when its Secret changes.
    /// </summary>
    public IKubernetes? ForCluster(string clusterId) =>
        Volatile.Read(ref _clusters).TryGetValue(clusterId.Length == 0 ? LocalClusterId : clusterId, out var cluster) ? cluster.Client : null;

    public KubeCluster? Find(string clusterId) =>
        Volatile.Read(ref _clusters).TryGetValue(clusterId, out var cluster) ? cluster : null;

    public void Add(KubeCluster cluster)
    {
        lock (_gate)
        {
            if (_clusters.ContainsKey(cluster.Id))
            {
                throw new InvalidOperationException($"cluster {cluster.Id} is already registered");
            }
            _clusters = _clusters.Add(cluster.Id, cluster);
        }
    }

    public void Remove(string clusterId)
    {
        lock (_gate)
        {
            _clusters = _clusters.Remove(clusterId);
        }
    }

    public IReadOnlyList<ClusterStatus> Status() => [.. Volatile.Read(ref _clusters).Values.Select(c => c.Status())];
}
