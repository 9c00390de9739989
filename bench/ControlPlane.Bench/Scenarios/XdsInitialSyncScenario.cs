using System.Diagnostics;
using ControlPlane.Bench.Floor;
using ControlPlane.Bench.Load;
using ControlPlane.Testing;
using ControlPlane.Testing.Xds;
using ControlPlane.Xds;
using Google.Protobuf;

namespace ControlPlane.Bench.Scenarios;

/// <summary>
/// Foundation initial sync: one delta stream subscribes wildcard to N resources of about 300 bytes and
/// receives them all; against the floor, a bare gRPC stream receiving the same bytes. Runs alternate
/// (xDS, floor, xDS, ...) so both see the same machine load.
/// </summary>
public sealed class XdsInitialSyncScenario : IScenario
{
    public string Name => "xds-initial-sync";

    public string Description => "wildcard initial sync of N resources to one delta stream, against a bare gRPC streaming floor";

    public async Task<ScenarioResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var resourceCount = settings.Size(20_000, 100_000);
        var repeats = settings.Size(9, 9);
        var result = new ScenarioResult(Name, Description, settings).Add("resources", resourceCount).Add("repeats", repeats);

        await using var server = await TestControlPlane.StartAsync().ConfigureAwait(false);
        await HubLoader.LoadAsync(server.Hub, Enumerable.Range(0, resourceCount).Select(i => SyntheticWorkloads.Create(i)), cancellationToken).ConfigureAwait(false);
        var table = server.Hub.GetTable(TypeUrls.Address);
        var bodyBytes = table.All.Sum(r => (long)r.Body.Length);
        result.Add("resource_bytes_avg", Math.Round(bodyBytes / (double)resourceCount, 1));

        // The first xDS run warms up the JIT and connection and tells the size of the response; then xDS
        // and floor runs alternate, so both see the same machine load. The floor writes a message of
        // exactly the size the xDS server wrote.
        var xds = new List<double>();
        var floorTimes = new List<double>();
        var responseBytes = 0;
        await using var floor = await FloorServer.StartAsync().ConfigureAwait(false);
        using var xdsChannels = new ChannelSet(server.XdsAddress, 1);
        using var floorChannels = new ChannelSet(floor.Address, 1);
        for (var i = 0; i <= repeats; i++)
        {
            var elapsed = await SyncXdsAsync(xdsChannels, resourceCount, bytes => responseBytes = Math.Max(responseBytes, bytes), cancellationToken).ConfigureAwait(false);
            if (i == 0)
            {
                floor.InitialPayload = UnsafeByteOperations.UnsafeWrap(new byte[responseBytes]);
                await SyncFloorAsync(floorChannels, cancellationToken).ConfigureAwait(false);
                continue;
            }
            xds.Add(elapsed);
            floorTimes.Add(await SyncFloorAsync(floorChannels, cancellationToken).ConfigureAwait(false));
        }

        var xdsSummary = LatencySummary.Of(xds);
        var floorSummary = LatencySummary.Of(floorTimes);
        var ratio = Math.Round(xdsSummary.P50 / floorSummary.P50, 2);
        result.Add("response_bytes", responseBytes).Add("xds_sync", xdsSummary).Add("floor_sync", floorSummary).Add("ratio_p50", ratio)
            .Target("ratio_p50", ratio, 1.5);
        result.Summary = $"{Name}: {resourceCount} resources ({ProcessSnapshot.Megabytes(responseBytes)} MB) to one stream in p50 {xdsSummary.P50:0.#} ms " +
            $"(floor {floorSummary.P50:0.#} ms, ratio {ratio})";
        return result;
    }

    /// <summary>One fresh delta stream syncing the whole table; returns the time to its first response.</summary>
    private static async Task<double> SyncXdsAsync(ChannelSet channels, int resourceCount, Action<int> responseSize, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await using var client = LightDeltaClient.Start(channels.For(0).CreateCallInvoker(), XdsNodes.Ztunnel(), [TypeUrls.Address],
            (_, view) => responseSize(view.Bytes));
        await client.Initial.WaitAsync(TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (client.Resources != resourceCount)
        {
            throw new InvalidOperationException($"initial sync sent {client.Resources} resources, expected {resourceCount}");
        }
        return elapsed;
    }

    /// <summary>One fresh floor stream receiving the same number of bytes; returns the time to its first chunk.</summary>
    private static async Task<double> SyncFloorAsync(ChannelSet channels, CancellationToken cancellationToken)
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = Stopwatch.GetTimestamp();
        await using var client = FloorClient.Start(channels.For(0), 0, (_, _) => received.TrySetResult());
        await received.Task.WaitAsync(TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }
}
