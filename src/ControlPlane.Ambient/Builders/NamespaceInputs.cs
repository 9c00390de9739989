using ControlPlane.Ambient.Model;

namespace ControlPlane.Ambient.Builders;

/// <summary>
/// One namespace's objects from every cluster (namespace sameness), as a namespace grain holds them.
/// The collections are live views, not copies: a grain passes its dictionaries' values.
/// </summary>
public sealed record NamespaceInputs
{
    public required string Name { get; init; }

    public KubeNamespace? Namespace { get; init; }

    public IReadOnlyCollection<Pod> Pods { get; init; } = [];

    public IReadOnlyCollection<KubeService> Services { get; init; } = [];

    public IReadOnlyCollection<ServiceEntry> ServiceEntries { get; init; } = [];

    public IReadOnlyCollection<WorkloadEntry> WorkloadEntries { get; init; } = [];

    public IReadOnlyCollection<EndpointSlice> EndpointSlices { get; init; } = [];

    public IReadOnlyCollection<AuthorizationPolicy> AuthorizationPolicies { get; init; } = [];

    public IReadOnlyCollection<PeerAuthentication> PeerAuthentications { get; init; } = [];
}
