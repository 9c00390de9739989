using ControlPlane.Ambient.Model;
using ControlPlane.Grains.Namespaces;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using static ControlPlane.Grains.Tests.Changes;

namespace ControlPlane.Grains.Tests.Namespaces;

/// <summary>Grains are caches of the sources: a silo that dies takes no object with it.</summary>
public sealed class NamespaceGrainRecoveryTests : IAsyncLifetime
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(90);
    private readonly SiloCluster _cluster = new(3);

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task ApplyAsync_AfterTheSiloHostingTheGrainIsKilled_ReactivatedGrainPublishesItsFullSetAndEveryHubMatchesTheFullBuild()
    {
        // The example mesh, plus namespaces enough that some grains land on a silo that may be killed.
        var objects = FullBuild.ExampleMesh();
        for (var i = 0; i < 12; i++)
        {
            objects.AddRange(Team(i));
        }
        objects.AddRange(Upsert(Node("team-node", zone: "zone-a")).Select(c => c.Object!));
        await _cluster.Sink.ApplyAsync([.. objects.Select(ObjectChange.Upsert)], CancellationToken.None);
        foreach (var silo in Enumerable.Range(0, 3))
        {
            using var probe = new HubProbe(_cluster.Hub(silo));
            Assert.Empty(await FullBuild.HubDifferencesAsync(probe, objects));
        }

        // Kill (not stop) the non-primary silo hosting the most team namespace grains.
        var hosts = await NamespaceHostsAsync();
        var primary = _cluster.Handle(0).SiloAddress;
        var victim = hosts.Where(h => h.Value != primary).GroupBy(h => h.Value).OrderByDescending(g => g.Count()).First();
        var lost = victim.Select(h => h.Key).Order(StringComparer.Ordinal).First();
        var victimHandle = _cluster.Cluster.Silos.Cast<InProcessSiloHandle>().Single(s => s.SiloAddress == victim.Key);
        await _cluster.Cluster.KillSiloAsync(victimHandle);

        // In the lost namespace a pod goes and its Service's port changes (every workload of it shows the
        // Service's ports); the node of every team pod moves zone (the mesh grain tells every namespace).
        var service = Upsert(Service(lost, "web", ServiceIp(lost), port: 9090)).Single();
        var node = Upsert(Node("team-node", zone: "zone-b")).Single();
        var edited = objects
            .Where(o => !(o.Kind == Kinds.Pod && o.Meta.Namespace == lost && o.Meta.Name == "web-1"))
            .Select(o => o.Kind == Kinds.Service && o.Meta.Namespace == lost ? service.Object! : o.Kind == Kinds.Node && o.Meta.Name == "team-node" ? node.Object! : o)
            .ToList();
        await _cluster.Sink.ApplyAsync([ObjectChange.Delete(new ObjectKey("Kubernetes", Kinds.Pod, lost, "web-1")), service, node], CancellationToken.None);

        foreach (var silo in Enumerable.Range(0, _cluster.Cluster.Silos.Count))
        {
            using var probe = new HubProbe(_cluster.Hub(silo));
            Assert.Empty(await FullBuild.HubDifferencesAsync(probe, edited, Recovery));
        }
        Assert.DoesNotContain(victim.Key, (await NamespaceHostsAsync()).Where(h => h.Key == lost).Select(h => h.Value));

        // A silo joining afterwards is given everything.
        var late = (InProcessSiloHandle)await _cluster.Cluster.StartAdditionalSiloAsync();
        using (var probe = new HubProbe(late.SiloHost.Services.GetRequiredService<ControlPlane.Xds.Hub.XdsHub>()))
        {
            Assert.Empty(await FullBuild.HubDifferencesAsync(probe, edited, Recovery));
        }
    }

    /// <summary>Where each active team namespace grain lives.</summary>
    private async Task<Dictionary<string, SiloAddress>> NamespaceHostsAsync()
    {
        var teams = Enumerable.Range(0, 12).Select(i => $"team-{i}").ToDictionary(ns => _cluster.Grains.GetGrain<INamespaceGrain>(GrainKeys.Namespace(ns)).GetGrainId());
        var statistics = await _cluster.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return statistics.Where(s => teams.ContainsKey(s.GrainId)).ToDictionary(s => teams[s.GrainId], s => s.SiloAddress);
    }

    private static string ServiceIp(string ns) => $"10.96.50.{int.Parse(ns["team-".Length..], System.Globalization.CultureInfo.InvariantCulture)}";

    private static IEnumerable<IMeshObject> Team(int i)
    {
        var ns = $"team-{i}";
        return Upsert(Join(
            Namespace(ns, "{istio.io/dataplane-mode: ambient}"),
            Service(ns, "web", ServiceIp(ns)),
            Pod(ns, "web-0", $"10.50.{i}.1", node: "team-node"),
            Pod(ns, "web-1", $"10.50.{i}.2", node: "team-node"))).Select(c => c.Object!);
    }
}
