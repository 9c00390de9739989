using ControlPlane.Ambient.Model;

namespace ControlPlane.Grains.Tests.Namespaces;

/// <summary>The grains, fed change by change, must end where a full build of the same objects ends.</summary>
public sealed class NamespaceGrainConsistencyTests(TwoSiloCluster cluster) : IClassFixture<TwoSiloCluster>
{
    [Fact]
    public async Task ApplyAsync_ExampleMeshObjectByObjectThenEdited_MatchesTheFullBuild()
    {
        var objects = FullBuild.ExampleMesh();
        // Dependents before what they depend on (pods before services, policies and the waypoint), one at a time.
        foreach (var obj in objects.OrderBy(o => o.Kind == Kinds.Pod ? 0 : 1).ThenByDescending(o => o.Kind, StringComparer.Ordinal))
        {
            await cluster.Sink.ApplyAsync([ObjectChange.Upsert(obj)], CancellationToken.None);
        }
        using var probe = new HubProbe(cluster.Hub(1));
        Assert.Empty(await FullBuild.HubDifferencesAsync(probe, objects));

        // Edits that cross namespaces and mesh-wide inputs: the waypoint goes, a node moves zone, the
        // namespace stops using a waypoint, a pod is deleted.
        var edited = objects
            .Where(o => o.Kind != Kinds.Gateway && o.Meta.Name != "orders-db-0")
            .Select(o => o switch
            {
                KubeNode { Meta.Name: "worker-a" } node => node with { Meta = node.Meta with { Labels = new(node.Meta.Labels.Append(new("topology.istio.io/subzone", "rack-9"))) } },
                KubeNamespace { Meta.Name: "shop" } ns => ns with { Meta = ns.Meta with { Labels = new(ns.Meta.Labels.Where(l => l.Key != WellKnown.UseWaypointLabel)) } },
                _ => o,
            })
            .ToList();
        await cluster.Sink.ApplyAsync(
        [
            ObjectChange.Delete(new ObjectKey("Kubernetes", Kinds.Gateway, "shop", "waypoint")),
            ObjectChange.Delete(new ObjectKey("Kubernetes", Kinds.Pod, "legacy", "orders-db-0")),
            .. edited.Where(o => o.Kind is Kinds.Node or Kinds.Namespace).Select(ObjectChange.Upsert),
        ], CancellationToken.None);
        Assert.Empty(await FullBuild.HubDifferencesAsync(probe, edited));
    }
}
