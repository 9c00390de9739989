using ControlPlane.Kubernetes.Informers;

namespace ControlPlane.Kubernetes.Clusters;

/// <summary>What <c>/debug/clusters</c> shows of one cluster.</summary>
public sealed record ClusterStatus
{
    public required string Id { get; init; }

    public bool Local { get; init; }

    /// <summary>The Secret (<c>namespace/name</c>) that registered a remote cluster.</summary>
    public string? Secret { get; init; }

    /// <summary>API server address; null while no valid kubeconfig is known.</summary>
    public string? Server { get; init; }

    /// <summary>Every informer has delivered its initial list.</summary>
    public bool Synced { get; init; }

    /// <summary>
    /// Some informer cannot reach the API server (or is refused): the cluster's last known objects are
    /// kept and served, but may be out of date.
    /// </summary>
    public bool Stale { get; init; }

    /// <summary>Why the cluster's kubeconfig was refused, when it was.</summary>
    public string? ConfigError { get; init; }

    public IReadOnlyList<InformerStatus> Informers { get; init; } = [];
}
