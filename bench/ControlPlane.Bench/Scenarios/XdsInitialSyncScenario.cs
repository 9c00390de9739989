using System.Diagnostics;
using ControlPlane.Bench.Floor;
using ControlPlane.Bench.Load;
using ControlPlane.Testing;
using ControlPlane.Testing.Xds;
using ControlPlane.Xds;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;

namespace ControlPlane.Bench.Scenarios;

/// <summary>
/// Foundation initial sync: one delta stream subscribes wildcard to N resources of about 300 bytes and
/// receives them all; against the floor, a bare gRPC stream receiving the same bytes.
/// </summary>
public sealed class XdsInitialSyncScenario : IScenario
{
    public string Name => "xds-initial-sync";

    public string Description => "wildcard initial sync of N resources to one delta stream, against a bare gRPC streaming floor";

    public async Task<ScenarioResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var resourceCount = settings.Size(20_000, 100_000);
        var repeats = settings.Size(3, 7);
        var result = new ScenarioResult(Name, Description, settings).Add("resources", resourceCount).Add("repeats", repeats);

        await using var server = await TestControlPlane.StartAsync().ConfigureAwait(false);
        await HubLoader.LoadAsync(server.Hub, Enumerable.Range(0, resourceCount).Select(i => SyntheticWorkloads.Create(i)), cancellationToken).ConfigureAwait(false);
        var table = server.Hub.GetTable(TypeUrls.Address);
        var bodyBytes = table.All.Sum(r => (long)r.Body.Length);
        result.Add("resource_bytes_avg", Math.Round(bodyBytes / (double)resourceCount, 1));

        var xds = new List<double>();
        var responseBytes = 0;
        using (var channels = new ChannelSet(server.XdsAddress, 1))
        {
            for (var i = 0; i <= repeats; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await using var client = LightDeltaClient.Start(channels.For(0).CreateCallInvoker(), XdsNodes.Ztunnel(), [TypeUrls.Address],
                    (_, view) => responseBytes = Math.Max(responseBytes, view.Bytes));
                await client.Initial.WaitAsync(TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (client.Resources != resourceCount)
                {
                    throw new InvalidOperationException($"initial sync sent {client.Resources} resources, expected {resourceCount}");
                }
                if (i > 0)
                {
                    xds.Add(elapsed); // the first run warms up the JIT and connection
                }
            }
        }

        // The floor writes a message of exactly the size the xDS server wrote.
        var payload = UnsafeByteOperations.UnsafeWrap(new byte[responseBytes]);
        var floorTimes = new List<double>();
        await using (var floor = await FloorServer.StartAsync().ConfigureAwait(false))
        {
            floor.InitialPayload = payload;
            using var channels = new ChannelSet(floor.Address, 1);
            for (var i = 0; i <= repeats; i++)
            {
                var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var started = Stopwatch.GetTimestamp();
                await using var client = FloorClient.Start(channels.For(0), 0, (_, _) => received.TrySetResult());
                await received.Task.WaitAsync(TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
                if (i > 0)
                {
                    floorTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
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
}
