using ControlPlane.Ambient.Builders;
using ControlPlane.Ambient.Model;
using Orleans.Concurrency;

namespace ControlPlane.Grains.Mesh;

/// <summary>
/// Holds the mesh-wide inputs (nodes and their localities, the system namespace's network label) and
/// tells every namespace grain when the derived <see cref="MeshInputs"/> change.
/// </summary>
public interface IMeshGrain : IGrainWithIntegerKey
{
    /// <summary>Applies changes to Nodes and to the system Namespace.</summary>
    Task ApplyAsync(IReadOnlyList<ObjectChange> changes);

    /// <summary>Registers a namespace grain for broadcasts and returns the current inputs.</summary>
    /// <remarks>Interleaves, so a namespace grain activating during a broadcast never waits on it.</remarks>
    [AlwaysInterleave]
    Task<MeshInputs> RegisterNamespaceAsync(string name);

    Task<MeshInputs> GetInputsAsync();
}
