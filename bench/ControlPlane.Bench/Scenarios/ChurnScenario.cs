using System.Diagnostics;
using ControlPlane.Bench.Churn;
using ControlPlane.Bench.Load;
using ControlPlane.Bench.Mesh;

namespace ControlPlane.Bench.Scenarios;

/// <summary>
/// Sustained churn: pods updated, created and deleted and Services edited at a set rate through a source
/// the server watches (the config directory, or the Kubernetes API server double its informers watch), while a fleet of simulated ztunnels holds the mesh. Every change is followed to
/// every client: propagation percentiles, whether lag grows over the run (first and last thirds, slope,
/// changes still in flight), and the server process's CPU seconds per change.
/// </summary>
public sealed class ChurnScenario(MeshSource source) : IScenario
{
    private const double AllClientsP99Target = 100;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);

    public string Name => source == MeshSource.KubeApi ? "churn-kube" : "churn";

    public string Description => source == MeshSource.KubeApi
        ? "pod/service changes at a set rate through the Kubernetes API server double and informers, followed to every ztunnel stream"
        : "pod/service changes at a set rate through the config directory, followed to every ztunnel stream";

    public async Task<ScenarioResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        // One pod, Service and namespace policy in 50 in files of their own (the churn changes only those); the
        // rest in one file per namespace, as a real config directory would hold them (see README).
        var shape = MeshShape.ForPods(settings.Size(2_000, 10_000), churnEvery: 50);
        var clients = 200;
        var perSecond = 100.0;
        var duration = TimeSpan.FromSeconds(settings.Size(15, 60));
        var result = new ScenarioResult(Name, Description, settings)
            .Add("pods", shape.Pods).Add("address_resources", shape.AddressResources).Add("clients", clients)
            .Add("changes_per_second", perSecond).Add("duration_s", duration.TotalSeconds)
            .Add("mix", ChurnMix.Default).Add("host_args", string.Join(' ', EndToEnd.HostArgs));

        await using var mesh = await MeshServer.StartAsync(Name, shape, source, EndToEnd.HostArgs, cancellationToken).ConfigureAwait(false);
        var server = mesh.Server;
        var clockShared = await server.ClockSharedAsync(cancellationToken).ConfigureAwait(false);
        var tracker = new PropagationTracker(clients);
        var churn = new ChurnGenerator(mesh.Mesh, mesh.ChurnTarget(), tracker);
        result.Add("source", churn.TargetName);

        await using var fleet = ZtunnelFleet.Start(server.XdsAddress, clients, shape.Nodes, tracker);
        result.Add("fleet_initial_sync_ms", Math.Round(await EndToEnd.SyncFleetAsync(fleet, shape, cancellationToken).ConfigureAwait(false)));

        await server.ArmStagesAsync(cancellationToken).ConfigureAwait(false);
        fleet.Tracking = true;

        // Warm-up, not counted: the first changes take the server's and clients' cold paths (JIT, first activations).
        var warmUp = await churn.RunAsync(perSecond, WarmUp, cancellationToken).ConfigureAwait(false);
        await DrainAsync(tracker, cancellationToken).ConfigureAwait(false);
        var firstMeasured = tracker.Changes.Count;
        result.Add("warm_up_changes", warmUp.Changes);

        await server.ResetSinkAsync(cancellationToken).ConfigureAwait(false);
        // Start from a clean heap on both sides, so the set-up's garbage is not collected during the first third.
        await EndToEnd.CollectAsync(server, cancellationToken).ConfigureAwait(false);
        var before = await server.StatsAsync(collect: false, cancellationToken).ConfigureAwait(false);
        var clientCpuBefore = ProcessSnapshot.Take().CpuTime;
        var started = Stopwatch.GetTimestamp();

        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var inFlight = SampleInFlightAsync(tracker, sampling.Token);
        var run = await churn.RunAsync(perSecond, duration, cancellationToken).ConfigureAwait(false);
        await sampling.CancelAsync().ConfigureAwait(false);
        var samples = await inFlight.ConfigureAwait(false);
        var drainMs = await DrainAsync(tracker, cancellationToken).ConfigureAwait(false);
        var after = await server.StatsAsync(collect: false, cancellationToken).ConfigureAwait(false);
        var clientCpu = ProcessSnapshot.Take().CpuTime - clientCpuBefore;

        var changes = tracker.Changes.Skip(firstMeasured).OrderBy(c => c.Marker).ToList();
        var delivered = changes.Where(c => c.Delivered).ToList();
        var all = LatencySummary.Of(delivered.Select(c => c.AllClientsMs));
        var each = LatencySummary.Of(delivered.SelectMany(c => c.PerClientMs()));
        var lag = LagAnalysis.Of([.. delivered.Select(c => (TrackedChange.Milliseconds(started, c.WrittenAt) / 1000, c.AllClientsMs))], changes.Count - delivered.Count);
        var serverCpuPerChange = (after.CpuMs - before.CpuMs) / 1000 / run.Changes;
        var third = samples.Count / 3;

        var counts = changes.GroupBy(c => c.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        result.Add("changes", run.Changes).Add("achieved_per_second", Math.Round(run.AchievedPerSecond, 1)).Add("largest_catch_up_burst", run.LargestBurst)
            .Add("changes_by_kind", counts).Add("undelivered", lag.Undelivered).Add("drain_ms", Math.Round(drainMs))
            .Add("all_clients", all).Add("each_client", each)
            .Add("first_third_all_clients", lag.FirstThird).Add("last_third_all_clients", lag.LastThird)
            .Add("lag_slope_ms_per_s", lag.SlopeMsPerSecond).Add("lag_growing", lag.Growing)
            .Add("in_flight_first_third_mean", third == 0 ? 0 : Math.Round(samples.Take(third).Average(), 1))
            .Add("in_flight_last_third_mean", third == 0 ? 0 : Math.Round(samples.Skip(samples.Count - third).Average(), 1))
            .Add("in_flight_max", samples.Count == 0 ? 0 : samples.Max())
            .Add("server_cpu_s_per_change", Math.Round(serverCpuPerChange, 5))
            .Add("server_cpu_utilisation", Math.Round((after.CpuMs - before.CpuMs) / TrackedChange.Milliseconds(started, Stopwatch.GetTimestamp()), 3))
            .Add("clients_cpu_s_per_change", Math.Round(clientCpu.TotalSeconds / run.Changes, 5))
            .Add("source_deliveries", after.Sink.Calls).Add("source_changes_delivered", after.Sink.Changes)
            .Add("source_busy_ms", Math.Round(after.Sink.BusyMs));
        foreach (var kind in counts.Keys)
        {
            result.Add($"all_clients_{kind}", LatencySummary.Of(delivered.Where(c => c.Kind == kind).Select(c => c.AllClientsMs)));
        }
        var breakdown = await EndToEnd.AddFleetFiguresAsync(result, fleet, server, clockShared, delivered, cancellationToken).ConfigureAwait(false);
        if (breakdown is not null)
        {
            // The server's own backlog (written, not yet committed by the hub), every 100 ms of the run.
            var step = Stopwatch.Frequency / 10;
            var backlog = new List<int>();
            for (var at = started; at < started + (long)(run.Elapsed.TotalSeconds * Stopwatch.Frequency); at += step)
            {
                backlog.Add(breakdown.ServerBacklogAt(at));
            }
            var backlogThird = backlog.Count / 3;
            result.Add("server_backlog_first_third_mean", backlogThird == 0 ? 0 : Math.Round(backlog.Take(backlogThird).Average(), 2))
                .Add("server_backlog_last_third_mean", backlogThird == 0 ? 0 : Math.Round(backlog.Skip(backlog.Count - backlogThird).Average(), 2))
                .Add("server_backlog_max", backlog.Count == 0 ? 0 : backlog.Max());
        }
        result.Target("all_clients_p99_ms", all.P99, AllClientsP99Target)
            .Target("lag_growing", lag.Growing ? 1 : 0, 0)
            .Target("version_mismatches", fleet.VersionMismatches, 0);
        result.Summary = $"{Name}: {run.Changes} changes at {run.AchievedPerSecond:0} /s to {clients} ztunnels ({shape.AddressResources} resources): " +
            $"all have each in p50 {all.P50:0.#} / p99 {all.P99:0.#} ms; lag {(lag.Growing ? "GROWS" : "steady")} " +
            $"(p99 first third {lag.FirstThird.P99:0.#}, last {lag.LastThird.P99:0.#} ms); server {serverCpuPerChange * 1000:0.##} CPU ms per change" +
            (breakdown is null ? string.Empty : $"; {breakdown}");
        return result;
    }

    /// <summary>Waits (up to 30 s) until every client holds every change; returns how long that took.</summary>
    private static async Task<double> DrainAsync(PropagationTracker tracker, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (tracker.Pending > 0 && Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    /// <summary>Changes written but not yet held by every client, once a second while the churn runs.</summary>
    private static async Task<List<int>> SampleInFlightAsync(PropagationTracker tracker, CancellationToken cancellationToken)
    {
        var samples = new List<int>();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                samples.Add(tracker.Pending);
            }
        }
        catch (OperationCanceledException)
        {
        }
        return samples;
    }
}
