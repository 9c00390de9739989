using ControlPlane.Testing.Xds;
using Envoy.Service.Discovery.V3;
using static ControlPlane.Xds.Tests.Server.TestResources;

namespace ControlPlane.Xds.Tests.Server;

/// <summary>
/// How pushes reach streams when the hub debounces: a burst is one response, a stream of changes is
/// still pushed within the maximum delay, and types changed together are written clusters first.
/// </summary>
public sealed class PushBatchingTests(DebouncedXdsServerFixture fixture) : IClassFixture<DebouncedXdsServerFixture>
{
    private const string Addresses = TypeUrls.Address;

    [Fact]
    public async Task Burst_OfChanges_ArrivesAsOneResponse()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("a"), Address("b"), Address("c"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await client.SubscribeAsync(Addresses);
        await client.ExpectAndAckAsync(Addresses);

        var hub = fixture.Server.Hub;
        hub.Publish(new ControlPlane.Xds.Resources.ResourceDelta(Addresses, scope.Id, [Address("a", "v2")], []));
        hub.Publish(new ControlPlane.Xds.Resources.ResourceDelta(Addresses, scope.Id, [Address("b", "v2")], []));
        hub.Publish(new ControlPlane.Xds.Resources.ResourceDelta(Addresses, scope.Id, [Address("a", "v3"), Address("d")], ["c"]));
        var push = await client.ExpectAndAckAsync(Addresses);

        Assert.Equal(["a:v3", "b:v2", "d:v1"], push.Resources.Select(r => $"{r.Name}:{AddressContent(r.Resource_)}").Order());
        Assert.Equal(["c"], push.RemovedResources);
        await fixture.Server.Hub.FlushWithinTimeoutAsync();
        await client.ExpectNoResponseAsync();
    }

    [Fact]
    public async Task ContinuousChanges_ArePushedBeforeTheyStop()
    {
        // Changes every 100 ms never leave the one-second quiet period the hub waits for; only the
        // maximum delay gets them out.
        var scope = new TestScope(fixture.Server);
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await client.SubscribeAsync(Addresses);
        await client.ExpectAndAckAsync(Addresses);

        var received = client.ExpectResponseAsync(Addresses, TimeSpan.FromSeconds(60));
        var published = 0;
        while (!received.IsCompleted && published < 600)
        {
            fixture.Server.Hub.Publish(new ControlPlane.Xds.Resources.ResourceDelta(Addresses, scope.Id, [Address("a", $"v{published++}")], []));
            await Task.WhenAny(received, Task.Delay(100));
        }
        var push = await received;

        Assert.True(published < 600, "no push while changes kept coming");
        Assert.Equal(["a"], push.Resources.Select(r => r.Name));
    }

    [Fact]
    public async Task Delta_ClustersAndListenersChangedTogether_AreWrittenClustersFirst()
    {
        var scope = new TestScope(fixture.Server);
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Scoped(XdsNodes.Waypoint($"waypoint-{scope.Id}", "ns", "10.0.0.5")));
        foreach (var typeUrl in new[] { TypeUrls.Listener, TypeUrls.RouteConfiguration, TypeUrls.ClusterLoadAssignment, TypeUrls.Cluster })
        {
            await client.SubscribeAsync(typeUrl, subscribe: typeUrl is TypeUrls.Listener or TypeUrls.Cluster ? [] : ["x"]);
            await client.ExpectAndAckAsync(typeUrl);
        }

        var hub = fixture.Server.Hub;
        hub.Publish(new ControlPlane.Xds.Resources.ResourceDelta(TypeUrls.RouteConfiguration, scope.Id, [Route("x")], []));
        hub.Publish(new ControlPlane.Xds.Resources.ResourceDelta(TypeUrls.Listener, scope.Id, [Listener("x")], []));
        hub.Publish(new ControlPlane.Xds.Resources.ResourceDelta(TypeUrls.ClusterLoadAssignment, scope.Id, [Endpoints("x")], []));
        hub.Publish(new ControlPlane.Xds.Resources.ResourceDelta(TypeUrls.Cluster, scope.Id, [Cluster("x")], []));
        var order = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            order.Add((await client.ExpectAndAckAsync()).TypeUrl);
        }

        Assert.Equal([TypeUrls.Cluster, TypeUrls.ClusterLoadAssignment, TypeUrls.Listener, TypeUrls.RouteConfiguration], order);
    }

    [Fact]
    public async Task Sotw_ClustersAndListenersChangedTogether_AreWrittenClustersFirst()
    {
        var scope = new TestScope(fixture.Server);
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = SotwAdsTestClient.Connect(channel, scope.Grpc());
        await client.RequestAsync(TypeUrls.Listener, "x");
        await client.ExpectAndAckAsync(TypeUrls.Listener);
        await client.RequestAsync(TypeUrls.Cluster, "x");
        await client.ExpectAndAckAsync(TypeUrls.Cluster);

        var hub = fixture.Server.Hub;
        hub.Publish(new ControlPlane.Xds.Resources.ResourceDelta(TypeUrls.Listener, scope.Id, [Listener("x")], []));
        hub.Publish(new ControlPlane.Xds.Resources.ResourceDelta(TypeUrls.Cluster, scope.Id, [Cluster("x")], []));
        var first = await client.ExpectAndAckAsync();
        var second = await client.ExpectAndAckAsync();

        Assert.Equal([TypeUrls.Cluster, TypeUrls.Listener], [first.TypeUrl, second.TypeUrl]);
    }
}
