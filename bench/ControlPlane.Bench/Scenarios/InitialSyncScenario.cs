using System.Diagnostics;
using ControlPlane.Bench.Churn;
using ControlPlane.Bench.Floor;
using ControlPlane.Bench.Load;
using ControlPlane.Bench.Mesh;
using ControlPlane.Bench.Server;
using ControlPlane.Testing.Xds;
using ControlPlane.Xds;

namespace ControlPlane.Bench.Scenarios;

/// <summary>
/// End-to-end initial sync: a mesh built from the config directory; a fresh ztunnel stream subscribes
/// (Address and Authorization, wildcard) and receives everything; against the floor, a bare gRPC stream
/// receiving a message of the same size from the server's process, measured in the same run.
/// </summary>
public sealed class InitialSyncScenario : IScenario
{
    private const double RatioTarget = 1.5;

    public string Name => "initial-sync";

    public string Description => "a new ztunnel stream receives a mesh built from the config directory, against a bare gRPC floor";

    public async Task<ScenarioResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var shape = MeshShape.ForPods(settings.Size(20_000, 100_000));
        // Each sync takes a tenth of a second: enough pairs that one slow floor or xDS sync does not move the medians.
        var repeats = settings.Size(3, 15);
        var result = new ScenarioResult(Name, Description, settings)
            .Add("pods", shape.Pods).Add("address_resources", shape.AddressResources).Add("repeats", repeats);

        var xds = new List<double>();
        var floorTimes = new List<double>();
        var responseBytes = 0;
        long mismatches = 0;
        await using (var mesh = await MeshServer.StartAsync(Name, shape, MeshSource.ConfigDirectory, EndToEnd.HostArgs, cancellationToken).ConfigureAwait(false))
        {
            result.Add("server_load_ms", Math.Round(mesh.LoadMs)).Add("yaml_megabytes", ProcessSnapshot.Megabytes(mesh.YamlBytes));
            using var channels = new ChannelSet(mesh.Server.XdsAddress, 1);
            // The first sync warms up and tells the size of the floor's message; then xDS and floor syncs
            // alternate, so both see the same load from whatever else the machine is doing.
            (_, responseBytes) = await XdsSyncAsync(channels, shape, 0, () => Interlocked.Increment(ref mismatches), cancellationToken).ConfigureAwait(false);
            using var floorChannels = new ChannelSet(await mesh.Server.StartFloorAsync(responseBytes, cancellationToken).ConfigureAwait(false), 1);
            await FloorSyncAsync(floorChannels, cancellationToken).ConfigureAwait(false);
            var xdsCost = new ServerCost();
            var floorCost = new ServerCost();
            var stats = await mesh.Server.StatsAsync(collect: false, cancellationToken).ConfigureAwait(false);
            for (var i = 1; i <= repeats; i++)
            {
                var (ms, _) = await XdsSyncAsync(channels, shape, i, () => Interlocked.Increment(ref mismatches), cancellationToken).ConfigureAwait(false);
                xds.Add(ms);
                stats = xdsCost.Add(stats, await mesh.Server.StatsAsync(collect: false, cancellationToken).ConfigureAwait(false));
                floorTimes.Add(await FloorSyncAsync(floorChannels, cancellationToken).ConfigureAwait(false));
                stats = floorCost.Add(stats, await mesh.Server.StatsAsync(collect: false, cancellationToken).ConfigureAwait(false));
            }
            xdsCost.Report(result, "server", repeats);
            floorCost.Report(result, "server_floor", repeats);
            result.Add("server_managed_heap_mb", ProcessSnapshot.Megabytes(stats.ManagedHeapBytes));
        }

        var xdsSummary = LatencySummary.Of(xds);
        var floorSummary = LatencySummary.Of(floorTimes);
        var ratio = Math.Round(xdsSummary.P50 / floorSummary.P50, 2);
        result.Add("response_bytes", responseBytes).Add("xds_sync", xdsSummary).Add("floor_sync", floorSummary).Add("ratio_p50", ratio)
            .Add("version_mismatches", Interlocked.Read(ref mismatches))
            .Target("ratio_p50", ratio, RatioTarget)
            .Target("version_mismatches", Interlocked.Read(ref mismatches), 0);
        result.Summary = $"{Name}: {shape.AddressResources} resources ({ProcessSnapshot.Megabytes(responseBytes)} MB) built from the config directory " +
            $"to a new ztunnel stream in p50 {xdsSummary.P50:0.#} ms (floor {floorSummary.P50:0.#} ms, ratio {ratio})";
        return result;
    }

    /// <summary>One fresh ztunnel stream until both initial responses arrived: milliseconds and response bytes.</summary>
    private static async Task<(double Ms, int Bytes)> XdsSyncAsync(
        ChannelSet channels, MeshShape shape, int id, Action mismatch, CancellationToken cancellationToken)
    {
        await using var client = LightDeltaClient.Start(channels.For(0).CreateCallInvoker(), XdsNodes.Ztunnel(nodeName: MeshGenerator.NodeName(0)),
            [TypeUrls.Address, TypeUrls.Authorization], (client, view) =>
            {
                for (var r = client.Id; r < view.ResourceCount; r += ZtunnelFleet.VersionSampleEvery)
                {
                    if (!view.VersionMatchesBody(r))
                    {
                        mismatch();
                    }
                }
            }, id: id % ZtunnelFleet.VersionSampleEvery);
        await client.Initial.WaitAsync(TimeSpan.FromMinutes(10), cancellationToken).ConfigureAwait(false);
        var responses = client.InitialResponses;
        var address = responses[TypeUrls.Address];
        if (address.Resources != shape.AddressResources || responses[TypeUrls.Authorization].Resources != shape.AuthorizationResources)
        {
            throw new InvalidOperationException($"initial sync sent {address.Resources} Address and {responses[TypeUrls.Authorization].Resources} " +
                $"Authorization resources, expected {shape.AddressResources} and {shape.AuthorizationResources}");
        }
        return (TrackedChange.Milliseconds(client.StartedAt, responses.Values.Max(r => r.At)), responses.Values.Sum(r => r.Bytes));
    }

    /// <summary>A fresh floor stream (in the server's process) until its message of the xDS response's size arrived.</summary>
    private static async Task<double> FloorSyncAsync(ChannelSet floorChannels, CancellationToken cancellationToken)
    {
        var received = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = Stopwatch.GetTimestamp();
        await using var client = FloorClient.Start(floorChannels.For(0), 0, (_, _) => received.TrySetResult(Stopwatch.GetTimestamp()));
        var at = await received.Task.WaitAsync(TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
        return TrackedChange.Milliseconds(started, at);
    }

    /// <summary>What the server's process spent on one kind of sync, summed over the repeats.</summary>
    private sealed class ServerCost
    {
        private double _cpuMs;
        private double _gcPauseMs;
        private long _collections;
        private long _gen2Collections;
        private long _allocatedBytes;

        /// <summary>Adds what happened between two stats; returns <paramref name="after"/>.</summary>
        public ServerStats Add(ServerStats before, ServerStats after)
        {
            _cpuMs += after.CpuMs - before.CpuMs;
            _gcPauseMs += after.GcPauseMs - before.GcPauseMs;
            _collections += after.Collections - before.Collections;
            _gen2Collections += after.Gen2Collections - before.Gen2Collections;
            _allocatedBytes += after.AllocatedBytes - before.AllocatedBytes;
            return after;
        }

        public void Report(ScenarioResult result, string prefix, int repeats) =>
            result.Add($"{prefix}_cpu_ms_per_sync", Math.Round(_cpuMs / repeats))
                .Add($"{prefix}_gc_pause_ms_per_sync", Math.Round(_gcPauseMs / repeats, 1))
                .Add($"{prefix}_gcs_per_sync", Math.Round((double)_collections / repeats, 2))
                .Add($"{prefix}_gen2_gcs_per_sync", Math.Round((double)_gen2Collections / repeats, 2))
                .Add($"{prefix}_allocated_mb_per_sync", ProcessSnapshot.Megabytes(_allocatedBytes / repeats));
    }
}
