using System.Diagnostics;
using System.Net.Http.Json;
using ControlPlane.Bench.Churn;
using ControlPlane.Bench.Floor;
using ControlPlane.Bench.Load;
using ControlPlane.Bench.Mesh;
using ControlPlane.Testing.Xds;
using ControlPlane.Xds;

namespace ControlPlane.Bench.Scenarios;

/// <summary>
/// Reconnect: a ztunnel that holds every Address resource of a large mesh reconnects with
/// <c>initial_resource_versions</c>. With current versions nothing may be resent; the time from opening the
/// stream to both initial responses is set against the floor (a bare gRPC stream, served from the server's
/// process, carrying a request of the same size and an empty answer): the difference is the server's own work. Then 1% of the pods change
/// while it is away: exactly those must be resent.
/// </summary>
public sealed class ReconnectScenario : IScenario
{
    private const double ServerTimeTarget = 5;

    public string Name => "reconnect";

    public string Description => "a ztunnel holding the whole mesh reconnects with its versions: resent resources, time against a floor";

    public async Task<ScenarioResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var shape = MeshShape.ForPods(settings.Size(10_000, 69_000), churnEvery: 100);
        // A reconnect and a floor round trip take tens of milliseconds each: enough pairs that the median
        // of their differences stands above the machine's noise.
        var repeats = settings.Size(7, 25);
        var result = new ScenarioResult(Name, Description, settings)
            .Add("pods", shape.Pods).Add("address_resources", shape.AddressResources).Add("repeats", repeats);

        await using var mesh = await MeshServer.StartAsync(Name, shape, MeshSource.ConfigDirectory, EndToEnd.HostArgs, cancellationToken).ConfigureAwait(false);
        var server = mesh.Server;
        using var channels = new ChannelSet(server.XdsAddress, 1);
        var invoker = channels.For(0).CreateCallInvoker();
        var node = XdsNodes.Ztunnel(nodeName: MeshGenerator.NodeName(0), ip: "10.254.0.1", podName: "ztunnel-reconnect");
        string[] types = [TypeUrls.Address, TypeUrls.Authorization];

        // The holder syncs everything and keeps name → version, as ztunnel does.
        Dictionary<string, Dictionary<string, string>> held;
        long mismatches = 0;
        await using (var holder = LightDeltaClient.Start(invoker, node, types, (_, view) =>
        {
            for (var i = 0; i < view.ResourceCount; i++)
            {
                if (!view.VersionMatchesBody(i))
                {
                    Interlocked.Increment(ref mismatches);
                }
            }
        }, trackVersions: true))
        {
            await holder.Initial.WaitAsync(TimeSpan.FromMinutes(10), cancellationToken).ConfigureAwait(false);
            held = types.ToDictionary(t => t, holder.Held, StringComparer.Ordinal);
        }
        var heldAddresses = held[TypeUrls.Address];
        if (heldAddresses.Count != shape.AddressResources)
        {
            throw new InvalidOperationException($"the holder got {heldAddresses.Count} Address resources, expected {shape.AddressResources}");
        }
        var serverVersions = await ServerVersionsAsync(server.HttpAddress, cancellationToken).ConfigureAwait(false);
        var differing = heldAddresses.Count(h => serverVersions.GetValueOrDefault(h.Key) != h.Value);
        result.Add("held_resources", heldAddresses.Count).Add("held_versions_differing_from_server", differing)
            .Add("version_mismatches", Interlocked.Read(ref mismatches));

        var (current, floor, serverMs) = await CurrentAsync(
            invoker, node, types, held, await server.StartFloorAsync(0, cancellationToken).ConfigureAwait(false), repeats, cancellationToken).ConfigureAwait(false);
        result.Add("request_bytes", current.RequestBytes)
            .Add("current_resent", current.Resent).Add("current_removed", current.Removed).Add("current_response_bytes", current.ResponseBytes)
            .Add("current_reconnect", current.Time).Add("floor_round_trip", floor).Add("server_ms", serverMs)
            .Add("request_decode_ms", RequestDecodeMs(node, held));

        // 1% of the pods change while the ztunnel is away; a watcher stream sees them served first.
        var changed = mesh.Mesh.Shape.Pods / mesh.Mesh.Shape.ChurnEvery;
        var tracker = new PropagationTracker(1);
        var churn = new ChurnGenerator(mesh.Mesh, mesh.ChurnTarget(), tracker);
        await using (var watcher = ZtunnelFleet.Start(server.XdsAddress, 1, shape.Nodes, tracker))
        {
            await watcher.WaitInitialAsync(TimeSpan.FromMinutes(10), cancellationToken).ConfigureAwait(false);
            watcher.Tracking = true;
            var updates = Enumerable.Range(0, changed).Select(_ => churn.UpdatePod()).ToList();
            await Task.WhenAll(updates.Select(u => PropagationTracker.WhenDeliveredAsync(u, cancellationToken))).WaitAsync(TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
        }
        var stale = await ReconnectAsync(invoker, node, types, held, cancellationToken).ConfigureAwait(false);
        result.Add("stale_changed_pods", changed).Add("stale_resent", stale.Resent).Add("stale_removed", stale.Removed)
            .Add("stale_reconnect_ms", Math.Round(stale.Ms, 3));

        result.Target("current_resent", current.Resent, 0)
            .Target("server_ms", serverMs, ServerTimeTarget)
            .Target("stale_resent_extra", Math.Abs(stale.Resent - changed), 0)
            .Target("held_versions_differing_from_server", differing, 0);
        result.Summary = $"{Name}: ztunnel holding {heldAddresses.Count} resources reconnects with its versions ({ProcessSnapshot.Megabytes(current.RequestBytes)} MB request): " +
            $"{current.Resent} resent, p50 {current.Time.P50:0.#} ms against a floor of {floor.P50:0.#} ms (server {serverMs:0.#} ms); " +
            $"after {changed} pod changes: {stale.Resent} resent in {stale.Ms:0.#} ms";
        return result;
    }

    /// <summary>
    /// With current versions: after one unmeasured warm-up of each, reconnects alternating with floor round trips
    /// of a request of the same size, so both see the same load from whatever else the machine is doing. The
    /// server's time is the median of the differences within each pair.
    /// </summary>
    private static async Task<(Reconnects Current, LatencySummary Floor, double ServerMs)> CurrentAsync(Grpc.Core.CallInvoker invoker,
        Envoy.Config.Core.V3.Node node, string[] types, IReadOnlyDictionary<string, Dictionary<string, string>> held, Uri floor, int repeats,
        CancellationToken cancellationToken)
    {
        using var floorChannels = new ChannelSet(floor, 1);
        var times = new List<double>();
        var floorTimes = new List<double>();
        var differences = new List<double>();
        Reconnect? last = null;
        for (var i = -1; i < repeats; i++)
        {
            var reconnect = await ReconnectAsync(invoker, node, types, held, cancellationToken).ConfigureAwait(false);
            var echo = await FloorClient.EchoAsync(floorChannels.For(0), (int)reconnect.RequestBytes, cancellationToken).ConfigureAwait(false);
            if (i < 0)
            {
                continue; // warm-up: JIT and first use of the server's paths
            }
            times.Add(reconnect.Ms);
            floorTimes.Add(echo);
            differences.Add(reconnect.Ms - echo);
            last = last is null ? reconnect : reconnect with
            {
                Resent = Math.Max(last.Resent, reconnect.Resent),
                Removed = Math.Max(last.Removed, reconnect.Removed),
                ResponseBytes = Math.Max(last.ResponseBytes, reconnect.ResponseBytes),
            };
        }
        var current = new Reconnects(LatencySummary.Of(times), last!.Resent, last.Removed, last.ResponseBytes, last.RequestBytes);
        return (current, LatencySummary.Of(floorTimes), Math.Round(Math.Max(0, LatencySummary.Of(differences).P50), 2));
    }

    /// <summary>One reconnect with <paramref name="held"/> as initial versions, timed from opening the stream to both initial responses.</summary>
    private static async Task<Reconnect> ReconnectAsync(Grpc.Core.CallInvoker invoker, Envoy.Config.Core.V3.Node node, string[] types,
        IReadOnlyDictionary<string, Dictionary<string, string>> held, CancellationToken cancellationToken)
    {
        await using var client = LightDeltaClient.Start(invoker, node, types, initialVersions: held);
        await client.Initial.WaitAsync(TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
        var responses = client.InitialResponses;
        return new Reconnect(
            TrackedChange.Milliseconds(client.StartedAt, responses.Values.Max(r => r.At)),
            responses.Values.Sum(r => r.Resources), responses.Values.Sum(r => r.Removed), responses.Values.Sum(r => r.Bytes), client.RequestBytes);
    }

    /// <summary>
    /// How long decoding the reconnect's Address request takes (median, in this process's runtime): the part of
    /// <c>server_ms</c> any protobuf server pays before its own logic runs.
    /// </summary>
    private static double RequestDecodeMs(Envoy.Config.Core.V3.Node node, IReadOnlyDictionary<string, Dictionary<string, string>> held)
    {
        var request = new Envoy.Service.Discovery.V3.DeltaDiscoveryRequest { TypeUrl = TypeUrls.Address, Node = node };
        request.InitialResourceVersions.Add(held[TypeUrls.Address]);
        var bytes = Google.Protobuf.MessageExtensions.ToByteArray(request);
        var times = new List<double>();
        for (var i = -5; i < 10; i++)
        {
            var started = Stopwatch.GetTimestamp();
            GC.KeepAlive(Envoy.Service.Discovery.V3.DeltaDiscoveryRequest.Parser.ParseFrom(bytes));
            if (i >= 0) // after 5 warm-up decodes
            {
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        return LatencySummary.Of(times).P50;
    }

    /// <summary>What the server's <c>/debug/resources</c> says each Address resource's version is.</summary>
    private static async Task<Dictionary<string, string>> ServerVersionsAsync(Uri http, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = http, Timeout = TimeSpan.FromMinutes(2) };
        var resources = await client.GetFromJsonAsync<List<DebugResource>>($"/debug/resources/{TypeUrls.Address}", cancellationToken).ConfigureAwait(false) ?? [];
        return resources.ToDictionary(r => r.Name, r => r.Version, StringComparer.Ordinal);
    }

    private sealed record DebugResource(string Name, string Version);

    private sealed record Reconnect(double Ms, int Resent, int Removed, int ResponseBytes, long RequestBytes);

    private sealed record Reconnects(LatencySummary Time, int Resent, int Removed, int ResponseBytes, long RequestBytes);
}
