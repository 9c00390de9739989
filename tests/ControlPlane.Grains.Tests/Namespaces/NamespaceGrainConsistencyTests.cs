using System.Reflection;
using ControlPlane.Ambient.Builders;
using ControlPlane.Ambient.Model;
using ControlPlane.Kubernetes.Manifests;
using ControlPlane.Xds;
using Google.Protobuf;

namespace ControlPlane.Grains.Tests.Namespaces;

/// <summary>The grains, fed change by change, must end where a full build of the same objects ends.</summary>
public sealed class NamespaceGrainConsistencyTests(TwoSiloCluster cluster) : IClassFixture<TwoSiloCluster>
{
    private static readonly string ExampleMesh = Path.Combine(
        typeof(NamespaceGrainConsistencyTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ExamplesDirectory").Value!,
        "ambient-mesh");

    [Fact]
    public async Task ApplyAsync_ExampleMeshObjectByObjectThenEdited_MatchesTheFullBuild()
    {
        var objects = Directory.GetFiles(ExampleMesh, "*.yaml").Order(StringComparer.Ordinal)
            .SelectMany(file => ManifestReader.Read(Path.GetFileName(file), File.ReadAllText(file), "Kubernetes"))
            .Select(d => d.Object ?? throw new InvalidOperationException($"{d.Position}: {d.Error}"))
            .ToList();
        // Dependents before what they depend on (pods before services, policies and the waypoint), one at a time.
        foreach (var obj in objects.OrderBy(o => o.Kind == Kinds.Pod ? 0 : 1).ThenByDescending(o => o.Kind, StringComparer.Ordinal))
        {
            await cluster.Sink.ApplyAsync([ObjectChange.Upsert(obj)], CancellationToken.None);
        }
        using var probe = new HubProbe(cluster.Hub(1));
        await AssertMatchesFullBuildAsync(probe, objects);

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
        await AssertMatchesFullBuildAsync(probe, edited);
    }

    private static async Task AssertMatchesFullBuildAsync(HubProbe probe, IReadOnlyCollection<IMeshObject> objects)
    {
        var expected = MeshBuilder.BuildAll(objects, new MeshSettings())
            .ToDictionary(r => (r.Kind == AmbientResourceKind.Address ? TypeUrls.Address : TypeUrls.Authorization, r.Name), r => r.Message.ToByteString());
        List<string> Differences(HubProbe p)
        {
            var actual = p.Addresses.All.Concat(p.Authorizations.All).ToDictionary(r => (r.TypeUrl, r.Name), r => r.Body);
            var differences = new List<string>();
            foreach (var (key, body) in expected)
            {
                if (!actual.TryGetValue(key, out var held))
                {
                    differences.Add($"missing {key.Item2}");
                }
                else if (!held.Equals(body))
                {
                    differences.Add($"differs {key.Item2}");
                }
            }
            differences.AddRange(actual.Keys.Where(k => !expected.ContainsKey(k)).Select(k => $"extra {k.Name}"));
            return differences;
        }
        try
        {
            await probe.WaitUntilAsync(p => Differences(p).Count == 0, "the hub holds exactly what a full build produces");
        }
        catch (Xunit.Sdk.XunitException)
        {
            Assert.Fail("the hub differs from a full build: " + string.Join("; ", Differences(probe)));
        }
    }
}
