using ControlPlane.Testing.Proxyless;
using ControlPlane.Xds;
using ControlPlane.Xds.Resources;
using ControlPlane.Xds.Server;

namespace ControlPlane.Integration.Tests.GrpcXds;

/// <summary>
/// Real RPCs from the real @grpc/grpc-js-xds client to real gRPC backends, routed only by what the
/// control plane serves over SotW ADS. Each test uses its own target and clusters, so the shared server
/// and backends never mix scenarios.
/// </summary>
public sealed class GrpcXdsClientTests(GrpcXdsFixture fixture) : IClassFixture<GrpcXdsFixture>
{
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task WeightedRoute_EightyTwenty_SplitsWithinThreeSigma()
    {
        using var timeout = TestTimeout();
        var ct = timeout.Token;
        const string scenario = "weighted";
        fixture.Publish(
            Listener(scenario),
            Route(scenario, ("v1", 80), ("v2", 20)),
            Cluster(scenario, "v1"), Endpoints(scenario, "v1", "alpha"),
            Cluster(scenario, "v2"), Endpoints(scenario, "v2", "beta"));
        await using var client = await fixture.StartClientAsync(Target(scenario), ct);

        const int calls = 400;
        var result = await client.CallAsync(calls, CallDeadline, ct);

        // Each RPC picks a cluster at random: alpha's count is Binomial(400, 0.8). ±4σ (320 ± 32) fails a
        // correct split once in ~16,000 runs and still tells 80/20 from 70/30 or 90/10.
        Assert.True(result.Failed == 0 && result.Answered("alpha") + result.Answered("beta") == calls, Explain(result, client));
        var expected = calls * 0.8;
        var sigma = Math.Sqrt(calls * 0.8 * 0.2);
        Assert.InRange(result.Answered("alpha"), expected - (4 * sigma), expected + (4 * sigma));
    }

    [Fact]
    public async Task RouteChange_AtRuntime_ReroutesOnSameStream()
    {
        using var timeout = TestTimeout();
        var ct = timeout.Token;
        const string scenario = "reroute";
        fixture.Publish(
            Listener(scenario),
            Route(scenario, ("v1", 100)),
            Cluster(scenario, "v1"), Endpoints(scenario, "v1", "alpha"),
            Cluster(scenario, "v2"), Endpoints(scenario, "v2", "beta"));
        await using var client = await fixture.StartClientAsync(Target(scenario), ct);
        var before = await client.CallAsync(50, CallDeadline, ct);
        Assert.True(before.AllAnsweredBy("alpha"), Explain(before, client));
        var stream = await SingleStreamAsync(client, ct);

        fixture.Publish(Route(scenario, ("v2", 100)));
        await UntilAllAnsweredByAsync(client, "beta", ct);
        var after = await client.CallAsync(100, CallDeadline, ct);

        Assert.True(after.AllAnsweredBy("beta"), Explain(after, client));
        var streamAfter = await SingleStreamAsync(client, ct);
        Assert.Equal(stream.Id, streamAfter.Id);
        var routes = streamAfter.Type(TypeUrls.RouteConfiguration);
        Assert.True(routes.ResponsesSent >= 2, $"RDS responses sent: {routes.ResponsesSent}");
        Assert.Equal(routes.LastNonce, routes.AckedNonce);
        Assert.Equal(0, routes.NackCount);
    }

    [Fact]
    public async Task EndpointChange_AtRuntime_ReroutesOnSameStream()
    {
        using var timeout = TestTimeout();
        var ct = timeout.Token;
        const string scenario = "move";
        fixture.Publish(
            Listener(scenario),
            Route(scenario, ("v1", 100)),
            Cluster(scenario, "v1"), Endpoints(scenario, "v1", "alpha"));
        await using var client = await fixture.StartClientAsync(Target(scenario), ct);
        var before = await client.CallAsync(50, CallDeadline, ct);
        Assert.True(before.AllAnsweredBy("alpha"), Explain(before, client));
        var stream = await SingleStreamAsync(client, ct);

        fixture.Publish(Endpoints(scenario, "v1", "gamma"));
        await UntilAllAnsweredByAsync(client, "gamma", ct);
        var after = await client.CallAsync(100, CallDeadline, ct);

        Assert.True(after.AllAnsweredBy("gamma"), Explain(after, client));
        var streamAfter = await SingleStreamAsync(client, ct);
        Assert.Equal(stream.Id, streamAfter.Id);
        var endpoints = streamAfter.Type(TypeUrls.ClusterLoadAssignment);
        Assert.True(endpoints.ResponsesSent >= 2, $"EDS responses sent: {endpoints.ResponsesSent}");
        Assert.Equal(endpoints.LastNonce, endpoints.AckedNonce);
    }

    [Fact]
    public async Task InvalidCluster_MaglevPolicy_NackedRecordedAndLastGoodConfigServes()
    {
        using var timeout = TestTimeout();
        var ct = timeout.Token;
        const string scenario = "nack";
        fixture.Publish(
            Listener(scenario),
            Route(scenario, ("v1", 100)),
            Cluster(scenario, "v1"), Endpoints(scenario, "v1", "alpha"));
        await using var client = await fixture.StartClientAsync(Target(scenario), ct);
        var before = await client.CallAsync(50, CallDeadline, ct);
        Assert.True(before.AllAnsweredBy("alpha"), Explain(before, client));
        var stream = await SingleStreamAsync(client, ct);

        fixture.Publish(MaglevCluster(scenario, "v1"));
        var clusters = await UntilClustersAsync(client, c => c.LastNack is not null, "the CDS response to be NACKed", ct);

        Assert.Contains("unsupported lb_policy: MAGLEV", clusters.LastNack!.Message, StringComparison.Ordinal);
        Assert.Equal(clusters.LastNonce, clusters.LastNack.Nonce);
        Assert.NotEqual(clusters.LastNonce, clusters.AckedNonce);
        var during = await client.CallAsync(100, CallDeadline, ct);
        Assert.True(during.AllAnsweredBy("alpha"), Explain(during, client));
        Assert.Equal(stream.Id, (await SingleStreamAsync(client, ct)).Id);

        // A valid cluster again: the client takes it and ACKs on the same stream.
        fixture.Publish(Cluster(scenario, "v1"));
        var repaired = await UntilClustersAsync(client, c => c.ResponsesSent > clusters.ResponsesSent && c.AckedNonce == c.LastNonce, "the repaired cluster to be ACKed", ct);
        Assert.Equal(clusters.NackCount, repaired.NackCount);
        var after = await client.CallAsync(20, CallDeadline, ct);
        Assert.True(after.AllAnsweredBy("alpha"), Explain(after, client));
        Assert.Equal(stream.Id, (await SingleStreamAsync(client, ct)).Id);
    }

    [Fact]
    public async Task RouteChange_WhileClusterNacked_NewClusterIsServed()
    {
        // grpc-js repeats the standing NACK (same nonce, same error_detail) on every later request of the
        // type until a response is valid, including the one that subscribes to a new cluster.
        using var timeout = TestTimeout();
        var ct = timeout.Token;
        const string scenario = "nack-reroute";
        fixture.Publish(
            Listener(scenario),
            Route(scenario, ("v1", 100)),
            Cluster(scenario, "v1"), Endpoints(scenario, "v1", "alpha"),
            Cluster(scenario, "v2"), Endpoints(scenario, "v2", "beta"));
        await using var client = await fixture.StartClientAsync(Target(scenario), ct);
        var before = await client.CallAsync(20, CallDeadline, ct);
        Assert.True(before.AllAnsweredBy("alpha"), Explain(before, client));
        var stream = await SingleStreamAsync(client, ct);
        fixture.Publish(MaglevCluster(scenario, "v1"));
        await UntilClustersAsync(client, c => c.LastNack is not null, "the CDS response to be NACKed", ct);

        fixture.Publish(Route(scenario, ("v2", 100)));
        await UntilAllAnsweredByAsync(client, "beta", ct);
        var after = await client.CallAsync(50, CallDeadline, ct);

        Assert.True(after.AllAnsweredBy("beta"), Explain(after, client));
        Assert.Equal(stream.Id, (await SingleStreamAsync(client, ct)).Id);
    }

    private static CancellationTokenSource TestTimeout() => new(TimeSpan.FromMinutes(5));

    private static string Target(string scenario) => $"{scenario}.{GrpcXdsFixture.Namespace}.svc.cluster.local:7070";

    private static string ClusterName(string scenario, string subset) => $"outbound|7070|{subset}|{scenario}.{GrpcXdsFixture.Namespace}.svc.cluster.local";

    private static XdsResource Listener(string scenario) =>
        GrpcXdsResources.Resource(GrpcXdsResources.ApiListener(Target(scenario), Target(scenario)));

    private static XdsResource Route(string scenario, params (string Subset, uint Weight)[] weights) =>
        GrpcXdsResources.Resource(GrpcXdsResources.WeightedRoute(
            Target(scenario), [.. weights.Select(w => new RouteWeight(ClusterName(scenario, w.Subset), w.Weight))]));

    private static XdsResource Cluster(string scenario, string subset) =>
        GrpcXdsResources.Resource(GrpcXdsResources.EdsCluster(ClusterName(scenario, subset)));

    /// <summary>A cluster gRPC rejects: it implements no Maglev (spec §9).</summary>
    private static XdsResource MaglevCluster(string scenario, string subset)
    {
        var cluster = GrpcXdsResources.EdsCluster(ClusterName(scenario, subset));
        cluster.LbPolicy = Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.Maglev;
        return GrpcXdsResources.Resource(cluster);
    }

    private XdsResource Endpoints(string scenario, string subset, string backend) =>
        GrpcXdsResources.Resource(GrpcXdsResources.Endpoints(ClusterName(scenario, subset), "region-1", "zone-1", fixture.Backends[backend]));

    /// <summary>The client's one ADS stream as the server sees it; fails if it has none or several.</summary>
    private async Task<DebugConnection> SingleStreamAsync(GrpcXdsClient client, CancellationToken cancellationToken)
    {
        var streams = await fixture.ConnectionsOfAsync(client.Bootstrap.NodeId, cancellationToken);
        Assert.True(streams.Count == 1, $"expected one ADS stream from {client.Bootstrap.NodeId}, found {streams.Count}: {string.Join(", ", streams.Select(s => s.Id))}");
        Assert.Equal("sotw", streams[0].Protocol);
        Assert.Equal(nameof(Xds.Proxy.ProxyKind.ProxylessGrpc), streams[0].Kind);
        return streams[0];
    }

    private async Task<TypeSnapshot> UntilClustersAsync(
        GrpcXdsClient client, Func<TypeSnapshot, bool> condition, string what, CancellationToken cancellationToken)
    {
        TypeSnapshot? clusters = null;
        await Eventually.HoldsAsync(
            async ct =>
            {
                clusters = (await SingleStreamAsync(client, ct)).Type(TypeUrls.Cluster);
                return condition(clusters);
            },
            Patience,
            () => $"waiting for {what}; CDS state: {clusters}; client stderr:\n{client.StderrTail}",
            cancellationToken);
        return clusters!;
    }

    private static async Task UntilAllAnsweredByAsync(GrpcXdsClient client, string backend, CancellationToken cancellationToken)
    {
        CallResult? last = null;
        await Eventually.HoldsAsync(
            async ct => (last = await client.CallAsync(10, CallDeadline, ct)).AllAnsweredBy(backend),
            Patience,
            () => $"waiting for every RPC to reach {backend}; last batch: {last}; client stderr:\n{client.StderrTail}",
            cancellationToken);
    }

    private static string Explain(CallResult result, GrpcXdsClient client) => $"{result}; client stderr:\n{client.StderrTail}";
}
