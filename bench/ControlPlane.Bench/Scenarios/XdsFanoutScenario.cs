using System.Diagnostics;
using System.Text;
using ControlPlane.Bench.Floor;
using ControlPlane.Bench.Load;
using ControlPlane.Testing;
using ControlPlane.Testing.Xds;
using ControlPlane.Xds;
using ControlPlane.Xds.Resources;
using ControlPlane.Xds.Server;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;

namespace ControlPlane.Bench.Scenarios;

/// <summary>
/// Foundation fan-out: N delta streams subscribed wildcard to M resources in the hub; one resource
/// changes; how long until each stream, and every stream, has it. Against the floor: a bare gRPC
/// server-streaming service writing the same response bytes to the same number of streams. Both sets of
/// streams stay open and the rounds alternate (xDS, floor, xDS, ...), so both see the same machine load.
/// Also the managed heap each stream holds (server and load client together; the floor's figure shows
/// what a bare gRPC stream costs), measured as what closing the streams frees.
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
        await using var floor = await FloorServer.StartAsync().ConfigureAwait(false);

        var xdsProbe = new RoundProbe(streams);
        var floorProbe = new RoundProbe(streams);
        using var xdsChannels = new ChannelSet(server.XdsAddress, streams);
        using var floorChannels = new ChannelSet(floor.Address, streams);
        var xdsClients = new List<LightDeltaClient>(streams);
        var floorClients = new List<FloorClient>(streams);
        try
        {
            // Streams open in waves, both sets the same way.
            var responseBytes = 0;
            for (var wave = 0; wave < streams; wave += OpeningWave)
            {
                for (var i = wave; i < Math.Min(streams, wave + OpeningWave); i++)
                {
                    xdsClients.Add(LightDeltaClient.Start(xdsChannels.For(i).CreateCallInvoker(), XdsNodes.Ztunnel(nodeName: $"node-{i}", podName: $"ztunnel-{i}"),
                        [TypeUrls.Address], (client, view) =>
                        {
                            xdsProbe.Observe(client.Id, view);
                            responseBytes = Math.Max(responseBytes, view.Bytes);
                        }, id: i));
                }
                await Task.WhenAll(xdsClients.Skip(wave).Select(c => c.Initial)).WaitAsync(TimeSpan.FromMinutes(10), cancellationToken).ConfigureAwait(false);
            }
            // The floor's streams get the same initial bytes.
            floor.InitialPayload = UnsafeByteOperations.UnsafeWrap(new byte[responseBytes]);
            for (var wave = 0; wave < streams; wave += OpeningWave)
            {
                var opened = floorProbe.Begin([], wave, Math.Min(streams, wave + OpeningWave));
                for (var i = wave; i < Math.Min(streams, wave + OpeningWave); i++)
                {
                    floorClients.Add(FloorClient.Start(floorChannels.For(i), i, (client, _) => floorProbe.Observe(client.Id)));
                }
                await opened.WaitAsync(TimeSpan.FromMinutes(10), cancellationToken).ConfigureAwait(false);
            }
            floorProbe.Reset();

            for (var round = 1; round <= rounds; round++)
            {
                var changed = SyntheticWorkloads.Create(round * 7919 % resourceCount, revision: round);
                var done = xdsProbe.Begin(Encoding.UTF8.GetBytes(changed.Name));
                server.Hub.Publish(ResourceDelta.Upsert(changed));
                await done.WaitAsync(TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);

                // The same bytes the xDS server wrote for that change.
                // (The resource's delta entry is itself a DeltaDiscoveryResponse holding just that resource.)
                var entry = new byte[changed.DeltaResourceLength];
                changed.WriteDeltaResource(entry);
                var response = DeltaDiscoveryResponse.Parser.ParseFrom(entry);
                response.TypeUrl = TypeUrls.Address;
                response.Nonce = $"c1-{round:x}";
                response.SystemVersionInfo = round.ToString(System.Globalization.CultureInfo.InvariantCulture);
                response.ControlPlane = new Envoy.Config.Core.V3.ControlPlane { Identifier = "controlplane" };
                var floorDone = floorProbe.Begin([]);
                floor.Broadcast(response.ToByteString());
                await floorDone.WaitAsync(TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }

            // What the streams hold (server and load client together) is what closing them frees; unlike
            // growth while opening, that leaves out buffers the servers' memory pools keep (or later trim).
            var registry = server.App.Services.GetRequiredService<ConnectionRegistry>();
            var open = ProcessSnapshot.Take(collect: true);
            await CloseAsync(floorClients, () => floor.OpenStreams == 0, cancellationToken).ConfigureAwait(false);
            var withoutFloor = ProcessSnapshot.Take(collect: true);
            await CloseAsync(xdsClients, () => registry.Count == 0, cancellationToken).ConfigureAwait(false);
            var closed = ProcessSnapshot.Take(collect: true);
            result.Add("xds_heap_bytes_per_stream", (withoutFloor.ManagedHeapBytes - closed.ManagedHeapBytes) / streams)
                .Add("floor_heap_bytes_per_stream", (open.ManagedHeapBytes - withoutFloor.ManagedHeapBytes) / streams);
        }
        finally
        {
            await Task.WhenAll(xdsClients.Select(c => c.DisposeAsync().AsTask()).Concat(floorClients.Select(c => c.DisposeAsync().AsTask()))).ConfigureAwait(false);
        }

        var xds = xdsProbe.Summarize();
        var bare = floorProbe.Summarize();
        result.Add("xds_stream", xds.PerStream).Add("xds_all_streams", xds.AllStreams)
            .Add("floor_stream", bare.PerStream).Add("floor_all_streams", bare.AllStreams);
        var ratioP50 = Math.Round(xds.AllStreams.P50 / bare.AllStreams.P50, 2);
        var ratioP99 = Math.Round(xds.AllStreams.P99 / bare.AllStreams.P99, 2);
        result.Add("ratio_all_streams_p50", ratioP50).Add("ratio_all_streams_p99", ratioP99)
            .Target("xds_all_streams_p99_ms", xds.AllStreams.P99, 50)
            .Target("ratio_all_streams_p99", ratioP99, 1.5);
        result.Summary = $"{Name}: {streams} streams x {resourceCount} resources: every stream has the change in " +
            $"p50 {xds.AllStreams.P50:0.#} / p99 {xds.AllStreams.P99:0.#} ms (floor {bare.AllStreams.P50:0.#} / {bare.AllStreams.P99:0.#} ms, ratio {ratioP50} / {ratioP99}); " +
            $"heap per stream {ProcessSnapshot.Kilobytes((long)result.Figures.Single(f => f.Key == "xds_heap_bytes_per_stream").Value)} KB " +
            $"(floor {ProcessSnapshot.Kilobytes((long)result.Figures.Single(f => f.Key == "floor_heap_bytes_per_stream").Value)} KB)";
        return result;
    }

    private const int OpeningWave = 50;

    /// <summary>Closes every client and waits until the server has let go of their streams.</summary>
    private static async Task CloseAsync<T>(List<T> clients, Func<bool> serverIdle, CancellationToken cancellationToken)
        where T : IAsyncDisposable
    {
        await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
        clients.Clear();
        while (!serverIdle())
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed record FanoutLatencies(LatencySummary PerStream, LatencySummary AllStreams);

    /// <summary>Times one change per round until every stream reported it.</summary>
    private sealed class RoundProbe(int streams)
    {
        private readonly List<double> _perStream = [];
        private readonly List<double> _allStreams = [];
        private Round? _round;

        /// <summary>Starts a round that ends when streams <paramref name="from"/> to <paramref name="to"/> (default: all) saw it.</summary>
        public Task Begin(byte[] name, int from = 0, int? to = null)
        {
            var round = new Round(name, streams, from, to ?? streams);
            Volatile.Write(ref _round, round);
            return round.Done.Task.ContinueWith(_ =>
            {
                lock (_perStream)
                {
                    _perStream.AddRange(round.Latencies);
                    _allStreams.Add(round.Latencies.Max());
                }
            }, TaskScheduler.Default);
        }

        /// <summary>Forgets what was recorded (rounds run during setup).</summary>
        public void Reset()
        {
            lock (_perStream)
            {
                _perStream.Clear();
                _allStreams.Clear();
            }
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

        private sealed class Round(byte[] name, int streams, int from, int to)
        {
            private readonly long _start = Stopwatch.GetTimestamp();
            private readonly int[] _seen = new int[streams];
            private int _remaining = to - from;

            public byte[] Name { get; } = name;

            public double[] Latencies { get; } = new double[to - from];

            public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public void Record(int stream)
            {
                if (stream < from || stream >= to || Interlocked.Exchange(ref _seen[stream], 1) != 0)
                {
                    return;
                }
                Latencies[stream - from] = Stopwatch.GetElapsedTime(_start).TotalMilliseconds;
                if (Interlocked.Decrement(ref _remaining) == 0)
                {
                    Done.TrySetResult();
                }
            }
        }
    }
}
