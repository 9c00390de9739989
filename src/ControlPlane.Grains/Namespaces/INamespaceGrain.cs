using ControlPlane.Ambient.Builders;
using ControlPlane.Ambient.Model;
using ControlPlane.Grains.Distribution;
using Orleans.Concurrency;

namespace ControlPlane.Grains.Namespaces;

/// <summary>
/// One namespace, merged across clusters: holds its objects, rebuilds only what a change affects and
/// publishes only resources whose content changed, plus removals — Address and Authorization alike.
/// </summary>
public interface INamespaceGrain : IGrainWithStringKey, IResourceOrigin
{
    /// <summary>Does nothing: calling it activates the grain, which seeds itself and publishes its resources.</summary>
    [AlwaysInterleave]
    Task WakeAsync();

    Task ApplyAsync(IReadOnlyList<ObjectChange> changes);

    /// <summary>New mesh-wide inputs: rebuilds what depends on the parts that differ.</summary>
    Task SetMeshAsync(MeshInputs inputs);

    /// <summary>Names of the resources this namespace currently publishes, per type URL.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> GetResourceNamesAsync();
}
