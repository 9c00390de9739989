using ControlPlane.Testing;
using ControlPlane.Testing.Xds;
using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using static ControlPlane.Xds.Tests.Server.TestResources;

namespace ControlPlane.Xds.Tests.Server;

/// <summary>
/// The server's edges: bad input ends only the offending stream (with a status and a log line) while a
/// healthy stream on the same connection keeps being served; cancellation; classification; shutdown.
/// </summary>
public sealed class AggregatedDiscoveryServerTests(XdsServerFixture fixture) : IClassFixture<XdsServerFixture>
{
    private const string Addresses = TypeUrls.Address;

    [Fact]
    public async Task FirstRequest_WithoutNode_EndsOnlyThatStreamWithInvalidArgument()
    {
        using var channel = fixture.Server.CreateXdsChannel();
        var bystander = await Bystander.StartAsync(fixture.Server, channel);
        await using var client = DeltaAdsTestClient.Connect(channel, new Node());

        await client.SendAsync(new DeltaDiscoveryRequest { TypeUrl = Addresses });
        var status = await client.ExpectClosedAsync();

        Assert.Equal(StatusCode.InvalidArgument, status.StatusCode);
        Assert.Contains("must carry a node", status.Detail, StringComparison.Ordinal);
        await fixture.Logs.WaitForAsync(LogLevel.Warning, "rejected with InvalidArgument", "must carry a node");
        await bystander.AssertStillServedAsync();
    }

    [Theory]
    [InlineData("ztunnel")]
    [InlineData("ztunnel~10.0.0.1~pod.ns")]
    [InlineData("ztunnel~10.0.0.1~pod.ns~ns.svc.cluster.local~extra")]
    [InlineData("gateway~10.0.0.1~pod.ns~ns.svc.cluster.local")]
    [InlineData("ztunnel~not-an-ip~pod.ns~ns.svc.cluster.local")]
    [InlineData("ztunnel~10.0.0.1~podwithoutnamespace~ns.svc.cluster.local")]
    [InlineData("ztunnel~10.0.0.1~pod.~ns.svc.cluster.local")]
    public async Task FirstRequest_WithAMalformedNodeId_EndsOnlyThatStreamWithInvalidArgument(string id)
    {
        using var channel = fixture.Server.CreateXdsChannel();
        var bystander = await Bystander.StartAsync(fixture.Server, channel);
        await using var client = DeltaAdsTestClient.Connect(channel, new Node { Id = id });

        await client.SubscribeAsync(Addresses);
        var status = await client.ExpectClosedAsync();

        Assert.Equal(StatusCode.InvalidArgument, status.StatusCode);
        Assert.Contains(id.Split('~')[0], status.Detail, StringComparison.Ordinal);
        await fixture.Logs.WaitForAsync(LogLevel.Warning, "rejected with InvalidArgument", $"'{id}'");
        await bystander.AssertStillServedAsync();
    }

    [Theory]
    [InlineData("")]
    [InlineData("istio.workload.Address")]
    [InlineData("type.googleapis.com/")]
    public async Task Request_WithAMalformedTypeUrl_EndsOnlyThatStreamWithInvalidArgument(string typeUrl)
    {
        using var channel = fixture.Server.CreateXdsChannel();
        var bystander = await Bystander.StartAsync(fixture.Server, channel);
        var scope = new TestScope(fixture.Server);
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await client.SubscribeAsync(Addresses);
        await client.ExpectAndAckAsync(Addresses);

        await client.SubscribeAsync(typeUrl);
        var status = await client.ExpectClosedAsync();

        Assert.Equal(StatusCode.InvalidArgument, status.StatusCode);
        Assert.Contains("malformed type_url", status.Detail, StringComparison.Ordinal);
        await fixture.Logs.WaitForAsync(LogLevel.Warning, "rejected with InvalidArgument", "malformed type_url");
        await bystander.AssertStillServedAsync();
    }

    [Fact]
    public async Task Request_NamingTooManyResources_EndsOnlyThatStreamWithResourceExhausted()
    {
        using var channel = fixture.Server.CreateXdsChannel();
        var bystander = await Bystander.StartAsync(fixture.Server, channel);
        var scope = new TestScope(fixture.Server);
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());

        await client.SubscribeAsync(Addresses, subscribe: Enumerable.Range(0, XdsServerFixture.MaxResourceNamesPerRequest + 1).Select(i => $"name-{i}"));
        var status = await client.ExpectClosedAsync();

        Assert.Equal(StatusCode.ResourceExhausted, status.StatusCode);
        Assert.Contains($"the limit is {XdsServerFixture.MaxResourceNamesPerRequest}", status.Detail, StringComparison.Ordinal);
        await fixture.Logs.WaitForAsync(LogLevel.Warning, "rejected with ResourceExhausted", scope.Id);
        await bystander.AssertStillServedAsync();
    }

    [Fact]
    public async Task Requests_SubscribingTooManyNamesInAll_EndOnlyThatStreamWithResourceExhausted()
    {
        using var channel = fixture.Server.CreateXdsChannel();
        var bystander = await Bystander.StartAsync(fixture.Server, channel);
        var scope = new TestScope(fixture.Server);
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());

        for (var batch = 0; batch * 900 <= XdsServerFixture.MaxSubscribedNamesPerType; batch++)
        {
            await client.SubscribeAsync(Addresses, subscribe: Enumerable.Range(batch * 900, 900).Select(i => $"name-{i}"));
        }
        var status = await client.ExpectClosedAsync();

        Assert.True(status.StatusCode == StatusCode.ResourceExhausted, status.ToString());
        Assert.Contains($"the limit is {XdsServerFixture.MaxSubscribedNamesPerType}", status.Detail, StringComparison.Ordinal);
        await fixture.Logs.WaitForAsync(LogLevel.Warning, "rejected with ResourceExhausted", scope.Id);
        await bystander.AssertStillServedAsync();
    }

    [Fact]
    public async Task Requests_ForTooManyTypeUrls_EndOnlyThatStreamWithResourceExhausted()
    {
        using var channel = fixture.Server.CreateXdsChannel();
        var bystander = await Bystander.StartAsync(fixture.Server, channel);
        var scope = new TestScope(fixture.Server);
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());

        for (var i = 0; i < XdsServerFixture.MaxTypesPerStream; i++)
        {
            await client.SubscribeAsync($"type.googleapis.com/test.Made{i}");
            await client.ExpectAndAckAsync($"type.googleapis.com/test.Made{i}");
        }
        await client.SubscribeAsync("type.googleapis.com/test.OneTooMany");
        var status = await client.ExpectClosedAsync();

        Assert.Equal(StatusCode.ResourceExhausted, status.StatusCode);
        Assert.Contains($"more than {XdsServerFixture.MaxTypesPerStream} type URLs", status.Detail, StringComparison.Ordinal);
        await bystander.AssertStillServedAsync();
    }

    [Fact]
    public async Task Request_LargerThanTheMessageLimit_EndsOnlyThatStreamWithResourceExhausted()
    {
        using var channel = fixture.Server.CreateXdsChannel();
        var bystander = await Bystander.StartAsync(fixture.Server, channel);
        var scope = new TestScope(fixture.Server);
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await client.SubscribeAsync(Addresses);
        await client.ExpectAndAckAsync(Addresses);

        try
        {
            await client.SubscribeAsync(Addresses, subscribe: [new string('x', XdsServerFixture.MaxReceiveMessageBytes + 1)]);
        }
        catch (RpcException)
        {
            // The server may end the call while the client is still writing the message.
        }
        var status = await client.ExpectClosedAsync();

        Assert.Equal(StatusCode.ResourceExhausted, status.StatusCode);
        await fixture.Logs.WaitForAsync(LogLevel.Warning, "rejected with ResourceExhausted", scope.Id);
        await bystander.AssertStillServedAsync();
    }

    [Fact]
    public async Task Request_WithAMalformedInitialResourceVersionsEntry_EndsOnlyThatStreamWithInvalidArgument()
    {
        using var channel = fixture.Server.CreateXdsChannel();
        var bystander = await Bystander.StartAsync(fixture.Server, channel);
        using var call = RawAdsCall.Start(channel);

        // A map entry whose key runs past the entry's end.
        await call.RequestStream.WriteAsync([0x2A, 0x03, 0x0A, 0x05, (byte)'a']);
        var status = await RawAdsCall.ReadToEndAsync(call);

        Assert.Equal(StatusCode.InvalidArgument, status.StatusCode);
        Assert.Contains("undecodable request", status.Detail, StringComparison.Ordinal);
        await bystander.AssertStillServedAsync();
    }

    [Fact]
    public async Task Request_ThatIsNotProtobuf_EndsOnlyThatStream()
    {
        using var channel = fixture.Server.CreateXdsChannel();
        var bystander = await Bystander.StartAsync(fixture.Server, channel);
        using var call = RawAdsCall.Start(channel);

        await call.RequestStream.WriteAsync([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]);
        var status = await RawAdsCall.ReadToEndAsync(call);

        Assert.Equal(StatusCode.InvalidArgument, status.StatusCode);
        Assert.Contains("undecodable request", status.Detail, StringComparison.Ordinal);
        await fixture.Logs.WaitForAsync(LogLevel.Warning, "rejected with InvalidArgument", "undecodable request");
        await bystander.AssertStillServedAsync();
    }

    [Fact]
    public async Task Request_RejectedWhileAResponseIsBeingWritten_EndsTheStreamAfterItWithTheStatus()
    {
        // The client does not read at first, so HTTP/2 flow control holds the first (large) response
        // mid-write when the bad request arrives; the response must still be delivered whole, then the status.
        var scope = new TestScope(fixture.Server);
        var body = new string('x', 2_000);
        await scope.PublishAsync([.. Enumerable.Range(0, 2_000).Select(i => Address($"w{i}", body))]);
        var node = scope.Ztunnel();
        using var channel = fixture.Server.CreateXdsChannel();
        using var call = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel).DeltaAggregatedResources();

        await call.RequestStream.WriteAsync(new DeltaDiscoveryRequest { Node = node, TypeUrl = Addresses });
        await DebugConnections.WaitUntilAsync(fixture.Server, node.Id,
            c => c.Count == 1 && c[0].GetProperty("types").EnumerateArray().Any(t => t.GetProperty("responsesSent").GetInt64() == 1),
            "the first response is being written");
        await call.RequestStream.WriteAsync(new DeltaDiscoveryRequest { TypeUrl = "not-a-type-url" });
        var responses = new List<DeltaDiscoveryResponse>();
        Status status;
        try
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                responses.Add(call.ResponseStream.Current);
            }
            status = call.GetStatus();
        }
        catch (RpcException ex)
        {
            status = ex.Status;
        }

        Assert.True(status.StatusCode == StatusCode.InvalidArgument, status.ToString());
        Assert.Equal(2_000, Assert.Single(responses).Resources.Count);
    }

    [Fact]
    public async Task ClientCancellation_RemovesTheStream()
    {
        var scope = new TestScope(fixture.Server);
        var node = scope.Ztunnel();
        using var channel = fixture.Server.CreateXdsChannel();
        var client = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, node);
        await client.ExpectAndAckAsync(Addresses);
        await DebugConnections.WaitUntilAsync(fixture.Server, node.Id, c => c.Count == 1, "the stream is listed");

        await client.DisposeAsync();

        await DebugConnections.WaitUntilAsync(fixture.Server, node.Id, c => c.Count == 0, "the cancelled stream is gone");
        await fixture.Logs.WaitForAsync(LogLevel.Information, node.Id, "closed");
    }

    [Theory]
    [InlineData("ztunnel", null, "Ztunnel")]
    [InlineData("waypoint", null, "Waypoint")]
    [InlineData("sidecar", null, "Sidecar")]
    [InlineData("router", null, "Router")]
    [InlineData("sidecar", "grpc", "ProxylessGrpc")]
    public async Task Node_IsClassifiedFromItsIdAndMetadata(string type, string? generator, string kind)
    {
        var scope = new TestScope(fixture.Server);
        var metadata = new Struct();
        if (generator is not null)
        {
            metadata.Fields["GENERATOR"] = Value.ForString(generator);
        }
        var node = scope.Scoped(new Node { Id = $"{type}~10.1.2.3~pod-{scope.Id}.ns~ns.svc.cluster.local", Metadata = metadata });
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, node);
        await client.SubscribeAsync(Addresses);
        await client.ExpectAndAckAsync(Addresses);

        var connection = Assert.Single(await DebugConnections.OfNodeAsync(fixture.Server, node.Id));

        Assert.Equal(kind, connection.GetProperty("kind").GetString());
        Assert.Equal("delta", connection.GetProperty("protocol").GetString());
    }

    [Fact]
    public async Task Shutdown_EndsEveryStreamWithOk()
    {
        // Several streams share one connection, as a node's proxies would not but a test client can:
        // the connection closes only after every one of them has read its final status.
        var server = await TestControlPlane.StartAsync();
        var clients = new List<IAsyncDisposable>();
        try
        {
            using var channel = server.CreateXdsChannel();
            var delta = new List<DeltaAdsTestClient>();
            var sotw = new List<SotwAdsTestClient>();
            for (var i = 0; i < 6; i++)
            {
                var client = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, XdsNodes.Ztunnel(podName: $"ztunnel-{i}"));
                clients.Add(client);
                delta.Add(client);
                await client.ExpectAndAckAsync(Addresses);
            }
            for (var i = 0; i < 4; i++)
            {
                var client = SotwAdsTestClient.Connect(channel, XdsNodes.ProxylessGrpc(podName: $"client-{i}"));
                clients.Add(client);
                sotw.Add(client);
                await client.RequestAsync(TypeUrls.Cluster);
                await client.ExpectAndAckAsync(TypeUrls.Cluster);
            }

            await server.App.StopAsync();

            foreach (var status in await Task.WhenAll(delta.Select(c => c.ExpectClosedAsync()).Concat(sotw.Select(c => c.ExpectClosedAsync()))))
            {
                Assert.True(status.StatusCode == StatusCode.OK, $"a stream ended with {status}");
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
            await server.DisposeAsync();
        }
    }

    /// <summary>A healthy ztunnel stream on the same connection as a misbehaving one.</summary>
    private sealed class Bystander(TestScope scope, DeltaAdsTestClient client)
    {
        public static async Task<Bystander> StartAsync(TestControlPlane server, GrpcChannel channel)
        {
            var scope = new TestScope(server);
            var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel("bystander"));
            await client.SubscribeAsync(Addresses);
            await client.ExpectAndAckAsync(Addresses);
            return new Bystander(scope, client);
        }

        public async Task AssertStillServedAsync()
        {
            await scope.PublishAsync(Address("after-bad-input"));
            var push = await client.ExpectAndAckAsync(Addresses);
            Assert.Equal(["after-bad-input"], push.Resources.Select(r => r.Name));
            await client.DisposeAsync();
        }
    }

}
