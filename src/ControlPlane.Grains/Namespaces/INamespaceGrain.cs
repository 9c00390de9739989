using ControlPlane.Ambient.Builders;
using ControlPlane.Ambient.Model;

namespace ControlPlane.Grains.Namespaces;

/// <summary>
/// One namespace, merged across clusters: holds its objects, rebuilds only what a change affects and
/// publishes only resources whose content changed, plus removals.
/// </summary>
public interface INamespaceGrain : IGrainWithStringKey
{
    Task ApplyAsync(IReadOnlyList<ObjectChange> changes);

    Task SetMeshAsync(MeshInputs inputs);

    /// <summary>Names of the resources this namespace currently publishes.</summary>
    Task<IReadOnlyList<string>> GetResourceNamesAsync();
}
