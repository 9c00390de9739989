using ControlPlane.Ambient.Model;
using ControlPlane.Grains.Mesh;
using ControlPlane.Grains.Namespaces;

namespace ControlPlane.Grains.Routing;

/// <summary>
/// Routes source changes to the grains that own them: Nodes and the system Namespace to the mesh
/// grain, everything else to the grain of its namespace (a Namespace object to its own grain).
/// </summary>
public sealed class GrainObjectSink(IGrainFactory grains, MeshSettings settings) : IObjectSink
{
    public async Task ApplyAsync(IReadOnlyList<ObjectChange> changes, CancellationToken cancellationToken)
    {
        var mesh = new List<ObjectChange>();
        var byNamespace = new Dictionary<string, List<ObjectChange>>(StringComparer.Ordinal);
        foreach (var change in changes)
        {
            var key = change.Key;
            if (key.Kind == Kinds.Node || (key.Kind == Kinds.Namespace && key.Name == settings.RootNamespace))
            {
                mesh.Add(change);
            }
            if (key.Kind == Kinds.Node)
            {
                continue;
            }
            var ns = key.Kind == Kinds.Namespace ? key.Name : key.Namespace;
            if (!byNamespace.TryGetValue(ns, out var list))
            {
                list = [];
                byNamespace[ns] = list;
            }
            list.Add(change);
        }
        var calls = new List<Task>(byNamespace.Count + 1);
        if (mesh.Count > 0)
        {
            // Mesh inputs first, so namespace grains activated below start from them.
            await grains.GetGrain<IMeshGrain>(GrainKeys.Mesh).ApplyAsync(mesh).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        foreach (var (ns, list) in byNamespace)
        {
            calls.Add(grains.GetGrain<INamespaceGrain>(GrainKeys.Namespace(ns)).ApplyAsync(list));
        }
        await Task.WhenAll(calls).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
