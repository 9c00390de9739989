using System.Diagnostics;
using System.Text;
using ControlPlane.Bench.Floor;
using ControlPlane.Bench.Load;
using ControlPlane.Testing;
using ControlPlane.Testing.Xds;
using ControlPlane.Xds;
using ControlPlane.Xds.Resources;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;

namespace ControlPlane.Bench.Scenarios;

/// <summary>
/// Foundation fan-out: N delta streams subscribed wildcard to M resources in the hub; one resource
/// changes; how long until each stream, and every stream, has it. Then the floor: a bare gRPC
/// server-streaming service writing the same response bytes to the same number of streams.
/// </summary>
public sealed class XdsFanoutScenario : IScenario
{
    public string Name => "xds-fanout";

    public string Description => "one changed resource pushed to N wildcard delta streams, against a bare gRPC streaming floor";

    public async Task<ScenarioResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var resourceCount = settings.Size(2_000, 10_000);
        var streams = settings.Size(1_000, 1_000);
        var rounds = settings.Size(10, 30);
        var result = new ScenarioResult(Name, Description, settings)
            .Add("resources", resourceCount).Add("streams", streams).Add("rounds", rounds).Add("debounce_ms", 0);

        // The debounce window is a deliberate coalescing delay; 0 measures what the server itself costs.
        await using var server = await TestControlPlane.StartAsync("--Xds:DebounceMilliseconds=0").ConfigureAwait(false);
        await HubLoader.LoadAsync(server.Hub, Enumerable.Range(0, resourceCount).Select(i => SyntheticWorkloads.Create(i)), cancellationToken).ConfigureAwait(false);

        var xds = await MeasureXdsAsync(server, streams, rounds, resourceCount, cancellationToken).ConfigureAwait(false);
        var floor = await MeasureFloorAsync(streams, rounds, cancellationToken).ConfigureAwait(false);

        result.Add("xds_stream", xds.PerStream).Add("xds_all_streams", xds.AllStreams)
            .Add("floor_stream", floor.PerStream).Add("floor_all_streams", floor.AllStreams);
        var ratioP50 = Math.Round(xds.AllStreams.P50 / floor.AllStreams.P50, 2);
        var ratioP99 = Math.Round(xds.AllStreams.P99 / floor.AllStreams.P99, 2);
        result.Add("ratio_all_streams_p50", ratioP50).Add("ratio_all_streams_p99", ratioP99)
            .Target("xds_all_streams_p99_ms", xds.AllStreams.P99, 50)
            .Target("ratio_all_streams_p99", ratioP99, 1.5);
        result.Summary = $"{Name}: {streams} streams x {resourceCount} resources: every stream has the change in " +
            $"p50 {xds.AllStreams.P50:0.#} / p99 {xds.AllStreams.P99:0.#} ms (floor {floor.AllStreams.P50:0.#} / {floor.AllStreams.P99:0.#} ms, ratio {ratioP50} / {ratioP99})";
        return result;
    }

    private static async Task<FanoutLatencies> MeasureXdsAsync(TestControlPlane server, int streams, int rounds, int resourceCount, CancellationToken cancellationToken)
    {
        var probe = new RoundProbe(streams);
        using var channels = new ChannelSet(server.XdsAddress, streams);
        var clients = new List<LightDeltaClient>(streams);
        try
        {
            for (var i = 0; i < streams; i++)
            {
                clients.Add(LightDeltaClient.Start(channels.For(i).CreateCallInvoker(), XdsNodes.Ztunnel(nodeName: $"node-{i}", podName: $"ztunnel-{i}"),
                    [TypeUrls.Address], (client, view) => probe.Observe(client.Id, view), id: i));
            }
            await Task.WhenAll(clients.Select(c => c.Initial)).WaitAsync(TimeSpan.FromMinutes(10), cancellationToken).ConfigureAwait(false);
            for (var round = 1; round <= rounds; round++)
            {
                var changed = SyntheticWorkloads.Create(round * 7919 % resourceCount, revision: round);
                var done = probe.Begin(Encoding.UTF8.GetBytes(changed.Name));
                server.Hub.Publish(ResourceDelta.Upsert(changed));
                await done.WaitAsync(TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
        }
        return probe.Summarize();
    }

    private static async Task<FanoutLatencies> MeasureFloorAsync(int streams, int rounds, CancellationToken cancellationToken)
    {
        var probe = new RoundProbe(streams);
        await using var floor = await FloorServer.StartAsync().ConfigureAwait(false);
        using var channels = new ChannelSet(floor.Address, streams);
        var clients = new List<FloorClient>(streams);
        try
        {
            for (var i = 0; i < streams; i++)
            {
                clients.Add(FloorClient.Start(channels.For(i), i, (client, _) => probe.Observe(client.Id)));
            }
            while (floor.OpenStreams < streams)
            {
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }
            for (var round = 1; round <= rounds; round++)
            {
                // The same bytes the xDS server writes for one changed resource.
                var changed = SyntheticWorkloads.Create(round, revision: round);
                // (EncodedDeltaResource is itself a DeltaDiscoveryResponse holding just that resource.)
                var response = DeltaDiscoveryResponse.Parser.ParseFrom(changed.EncodedDeltaResource);
                response.TypeUrl = TypeUrls.Address;
                response.Nonce = $"c1-{round:x}";
                response.SystemVersionInfo = round.ToString(System.Globalization.CultureInfo.InvariantCulture);
                response.ControlPlane = new Envoy.Config.Core.V3.ControlPlane { Identifier = "controlplane" };
                var payload = response.ToByteString();
                var done = probe.Begin([]);
                floor.Broadcast(payload);
                await done.WaitAsync(TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
        }
        return probe.Summarize();
    }

    private sealed record FanoutLatencies(LatencySummary PerStream, LatencySummary AllStreams);

    /// <summary>Times one change per round until every stream reported it.</summary>
    private sealed class RoundProbe(int streams)
    {
        private readonly List<double> _perStream = [];
        private readonly List<double> _allStreams = [];
        private Round? _round;

        public Task Begin(byte[] name)
        {
            var round = new Round(name, streams);
            Volatile.Write(ref _round, round);
            return round.Done.Task.ContinueWith(_ =>
            {
                _perStream.AddRange(round.Latencies);
                _allStreams.Add(round.Latencies.Max());
            }, TaskScheduler.Default);
        }

        public void Observe(int stream, DeltaResponseView view)
        {
            if (Volatile.Read(ref _round) is { } round && view.ResourceCount > 0 && view.ContainsResource(round.Name))
            {
                round.Record(stream);
            }
        }

        public void Observe(int stream) => Volatile.Read(ref _round)?.Record(stream);

        public FanoutLatencies Summarize() => new(LatencySummary.Of(_perStream), LatencySummary.Of(_allStreams));

        private sealed class Round(byte[] name, int streams)
        {
            private readonly long _start = Stopwatch.GetTimestamp();
            private readonly int[] _seen = new int[streams];
            private int _remaining = streams;

            public byte[] Name { get; } = name;

            public double[] Latencies { get; } = new double[streams];

            public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public void Record(int stream)
            {
                if (Interlocked.Exchange(ref _seen[stream], 1) != 0)
                {
                    return;
                }
                Latencies[stream] = Stopwatch.GetElapsedTime(_start).TotalMilliseconds;
                if (Interlocked.Decrement(ref _remaining) == 0)
                {
                    Done.TrySetResult();
                }
            }
        }
    }
}
