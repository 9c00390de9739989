using ControlPlane.Ambient.Builders;
using ControlPlane.Ambient.Model;

namespace ControlPlane.Grains.Namespaces;

/// <summary>
/// One namespace, merged across clusters: holds its objects, rebuilds only what a change affects and
/// publishes only resources whose content changed, plus removals — Address and Authorization alike.
/// </summary>
public interface INamespaceGrain : IGrainWithStringKey
{
    Task ApplyAsync(IReadOnlyList<ObjectChange> changes);

    /// <summary>New mesh-wide inputs: rebuilds what depends on the parts that differ.</summary>
    Task SetMeshAsync(MeshInputs inputs);

    /// <summary>Names of the resources this namespace currently publishes, per type URL.</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> GetResourceNamesAsync();
}
