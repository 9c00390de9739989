using ControlPlane.Ambient.Model;
using ControlPlane.Grains.Mesh;
using ControlPlane.Grains.Namespaces;

namespace ControlPlane.Grains.Routing;

/// <summary>
/// Routes source changes to the grains that own them. Mesh-wide kinds go to the mesh grain: Nodes,
/// Gateways and GatewayClasses only there; the system Namespace, root-namespace AuthorizationPolicies
/// and every PeerAuthentication there and to their namespace's grain. Everything else goes to the grain
/// of its namespace (a Namespace object to its own grain).
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
            var (toMesh, toNamespace) = key.Kind switch
            {
                Kinds.Node or Kinds.Gateway or Kinds.GatewayClass => (true, false),
                Kinds.Namespace => (key.Name == settings.RootNamespace, true),
                Kinds.AuthorizationPolicy => (key.Namespace == settings.RootNamespace, true),
                Kinds.PeerAuthentication => (true, true),
                _ => (false, true),
            };
            if (toMesh)
            {
                mesh.Add(change);
            }
            if (!toNamespace)
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
        if (mesh.Count > 0)
        {
            // Mesh inputs first, so namespace grains activated below start from them.
            await grains.GetGrain<IMeshGrain>(GrainKeys.Mesh).ApplyAsync(mesh).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        var calls = new List<Task>(byNamespace.Count);
        foreach (var (ns, list) in byNamespace)
        {
            calls.Add(grains.GetGrain<INamespaceGrain>(GrainKeys.Namespace(ns)).ApplyAsync(list));
        }
        await Task.WhenAll(calls).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
