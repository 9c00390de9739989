using ControlPlane.Ambient.Builders;
using ControlPlane.Ambient.Model;
using Orleans.Concurrency;

namespace ControlPlane.Grains.Mesh;

/// <summary>
/// Holds the mesh-wide inputs (nodes and their localities, the system namespace's network label,
/// root-namespace policies, PeerAuthentications, Gateways and GatewayClasses, ServiceEntry host claims)
/// and tells every namespace grain when the derived <see cref="MeshInputs"/> change.
/// </summary>
public interface IMeshGrain : IGrainWithIntegerKey
{
    /// <summary>Applies changes to the mesh-wide kinds (see <see cref="Routing.GrainRoute"/>).</summary>
    Task ApplyAsync(IReadOnlyList<ObjectChange> changes);

    /// <summary>Registers a namespace grain for broadcasts and returns the current inputs.</summary>
    /// <remarks>Interleaves, so a namespace grain activating during a broadcast never waits on it.</remarks>
    [AlwaysInterleave]
    Task<MeshInputs> RegisterNamespaceAsync(string name);

    /// <summary>
    /// A namespace's ServiceEntry host claims changed. One-way: namespace grains never wait on the mesh
    /// grain, which may itself be waiting on them during a broadcast.
    /// </summary>
    [OneWay]
    Task ReportHostClaimsAsync(string ns, IReadOnlyList<HostClaim> claims);

    Task<MeshInputs> GetInputsAsync();

    /// <summary>Does nothing: calling it activates the grain, which seeds itself from the local store.</summary>
    [AlwaysInterleave]
    Task WakeAsync();
}
