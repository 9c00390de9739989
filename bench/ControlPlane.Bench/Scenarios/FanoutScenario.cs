using ControlPlane.Bench.Churn;
using ControlPlane.Bench.Load;
using ControlPlane.Bench.Mesh;

namespace ControlPlane.Bench.Scenarios;

/// <summary>
/// End-to-end fan-out: a mesh served from the config directory, a fleet of simulated ztunnels holding
/// all of it; one pod changes at the source per round (its file replaced); how long until every client
/// holds the change, read back from the decoded workload's canonical revision.
/// </summary>
public sealed class FanoutScenario : IScenario
{
    private const double AllClientsP99Target = 50;
    private const int WarmUpRounds = 2;

    public string Name => "fanout";

    public string Description => "one pod change written to the config directory, until all N ztunnel streams hold it";

    public async Task<ScenarioResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var shape = MeshShape.ForPods(settings.Size(2_000, 10_000), churnEvery: 50);
        var clients = 1_000;
        var rounds = settings.Size(10, 30);
        var result = new ScenarioResult(Name, Description, settings)
            .Add("pods", shape.Pods).Add("address_resources", shape.AddressResources).Add("clients", clients).Add("rounds", rounds)
            .Add("host_args", string.Join(' ', EndToEnd.HostArgs));

        await using var mesh = await MeshServer.StartAsync(Name, shape, MeshSource.ConfigDirectory, EndToEnd.HostArgs, cancellationToken).ConfigureAwait(false);
        var server = mesh.Server;
        var clockShared = await server.ClockSharedAsync(cancellationToken).ConfigureAwait(false);
        var tracker = new PropagationTracker(clients);
        var churn = new ChurnGenerator(mesh.Mesh, mesh.ChurnTarget(), tracker);

        await using var fleet = ZtunnelFleet.Start(server.XdsAddress, clients, shape.Nodes, tracker);
        var syncMs = await EndToEnd.SyncFleetAsync(fleet, shape, cancellationToken).ConfigureAwait(false);
        result.Add("fleet_initial_sync_ms", Math.Round(syncMs));

        await server.ArmStagesAsync(cancellationToken).ConfigureAwait(false);
        fleet.Tracking = true;
        async Task RoundAsync(TrackedChange change)
        {
            await PropagationTracker.WhenDeliveredAsync(change, cancellationToken).WaitAsync(TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        // The warm-up rounds take the cold paths (JIT, first use) and are not counted.
        for (var round = 0; round < WarmUpRounds; round++)
        {
            await RoundAsync(churn.UpdatePod()).ConfigureAwait(false);
        }
        await EndToEnd.CollectAsync(server, cancellationToken).ConfigureAwait(false);
        var before = await server.StatsAsync(collect: false, cancellationToken).ConfigureAwait(false);
        var changes = new List<TrackedChange>(rounds);
        for (var round = 0; round < rounds; round++)
        {
            var change = churn.UpdatePod();
            changes.Add(change);
            await RoundAsync(change).ConfigureAwait(false);
        }
        var after = await server.StatsAsync(collect: false, cancellationToken).ConfigureAwait(false);

        var all = LatencySummary.Of(changes.Select(c => c.AllClientsMs));
        var each = LatencySummary.Of(changes.SelectMany(c => c.PerClientMs()));
        result.Add("all_clients", all).Add("each_client", each)
            .Add("server_cpu_ms_per_change", Math.Round((after.CpuMs - before.CpuMs) / rounds, 2));
        var breakdown = await EndToEnd.AddFleetFiguresAsync(result, fleet, server, clockShared, changes, cancellationToken).ConfigureAwait(false);
        result.Target("all_clients_p99_ms", all.P99, AllClientsP99Target)
            .Target("version_mismatches", fleet.VersionMismatches, 0);
        result.Summary = $"{Name}: one pod change to {clients} ztunnels holding {shape.AddressResources} resources: all have it in " +
            $"p50 {all.P50:0.#} / p99 {all.P99:0.#} / max {all.Max:0.#} ms" + (breakdown is null ? string.Empty : $" ({breakdown})");
        return result;
    }
}
