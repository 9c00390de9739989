using System.Collections.Immutable;
using ControlPlane.Ambient.Model;
using ControlPlane.Kubernetes.Api;
using k8s;

namespace ControlPlane.Kubernetes.Clusters;

/// <summary>
/// The clusters being watched (local and remote), by id. As <see cref="IClusterClients"/> (registered in
/// Kubernetes mode only) it hands out their API clients. The local connection exists from construction,
/// so services that start before the informers (the CA) can use it.
/// </summary>
/// <param name="localConnection">The local cluster's API connection in Kubernetes mode; null otherwise.</param>
public sealed class ClusterRegistry(MeshSettings settings, KubeApiClient? localConnection) : IClusterClients
{
    private readonly Lock _gate = new();
    private ImmutableSortedDictionary<string, KubeCluster> _clusters = ImmutableSortedDictionary.Create<string, KubeCluster>(StringComparer.Ordinal);

    public string LocalClusterId => settings.ClusterId;

    /// <summary>Ids of the clusters with a usable client (the local one and remotes with a valid kubeconfig).</summary>
    public IReadOnlyCollection<string> ClusterIds => [.. Volatile.Read(ref _clusters).Values.Where(c => c.Client is not null).Select(c => c.Id)];

    public IReadOnlyCollection<KubeCluster> Clusters => [.. Volatile.Read(ref _clusters).Values];

    /// <summary>The local cluster's API connection (Kubernetes mode), which the local cluster's informers use.</summary>
    public KubeApiClient? LocalConnection => localConnection;

    public IKubernetes Local => localConnection?.Kubernetes
        ?? throw new InvalidOperationException("there is no local cluster: the control plane does not run against Kubernetes");

    /// <summary>
    /// The local client for an empty id or the local id; a remote cluster's by its id; null when unknown
    /// or without a valid kubeconfig. Ask per use: a remote's client is disposed when its Secret changes.
    /// </summary>
    public IKubernetes? ForCluster(string clusterId) =>
        clusterId.Length == 0 || clusterId == LocalClusterId ? localConnection?.Kubernetes
        : Volatile.Read(ref _clusters).TryGetValue(clusterId, out var cluster) ? cluster.Client : null;

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
