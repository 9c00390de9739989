using ControlPlane.Testing.Xds;
using Envoy.Service.Discovery.V3;
using static ControlPlane.Xds.Tests.Server.TestResources;

namespace ControlPlane.Xds.Tests.Server;

/// <summary>State-of-the-world ADS as gRPC's proxyless client and Envoy use it (spec §9), through the real gRPC stack.</summary>
public sealed class SotwConnectionTests(XdsServerFixture fixture) : IClassFixture<XdsServerFixture>
{
    [Fact]
    public async Task RequestByName_ThenChange_SendsTheFullSubscribedSetWithANewVersion()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Endpoints("a"), Endpoints("b"), Endpoints("other"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = SotwAdsTestClient.Connect(channel, scope.Grpc());

        await client.RequestAsync(TypeUrls.ClusterLoadAssignment, "a", "b");
        var first = await client.ExpectAndAckAsync(TypeUrls.ClusterLoadAssignment);
        await scope.PublishAsync(Endpoints("b", 2));
        var second = await client.ExpectAndAckAsync(TypeUrls.ClusterLoadAssignment);

        Assert.Equal(["a", "b"], first.Resources.Select(ClusterName).Order());
        Assert.Equal(["a", "b"], second.Resources.Select(ClusterName).Order());
        Assert.NotEqual(first.VersionInfo, second.VersionInfo);
        Assert.Equal(2u, Unpack(second.Resources.Single(r => ClusterName(r) == "b")).Endpoints[0].LoadBalancingWeight);
        Assert.All(second.Resources, r => Assert.Equal(TypeUrls.ClusterLoadAssignment, r.TypeUrl));
    }

    [Fact]
    public async Task FirstRequest_UnknownTypeUrl_IsAnsweredEmpty()
    {
        var scope = new TestScope(fixture.Server);
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = SotwAdsTestClient.Connect(channel, scope.Grpc());

        await client.RequestAsync("type.googleapis.com/test.Unknown", "x");
        var response = await client.ExpectAndAckAsync("type.googleapis.com/test.Unknown");

        Assert.Empty(response.Resources);
        Assert.NotEmpty(response.VersionInfo);
        Assert.NotEmpty(response.Nonce);
        await client.ExpectNoResponseAsync();
    }

    [Theory]
    [InlineData(TypeUrls.Listener)]
    [InlineData(TypeUrls.Cluster)]
    public async Task EmptyNames_ForListenersAndClusters_IsAWildcard(string typeUrl)
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Make(typeUrl, "x"), Make(typeUrl, "y"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = SotwAdsTestClient.Connect(channel, scope.Grpc());

        await client.RequestAsync(typeUrl);
        var response = await client.ExpectAndAckAsync(typeUrl);
        await scope.PublishAsync(Make(typeUrl, "z"));
        var push = await client.ExpectAndAckAsync(typeUrl);

        Assert.Equal(2, response.Resources.Count);
        Assert.Equal(3, push.Resources.Count);
    }

    [Fact]
    public async Task EmptyNames_AfterNames_UnsubscribesFromEverything()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Make(TypeUrls.Cluster, "x"), Make(TypeUrls.Cluster, "y"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = SotwAdsTestClient.Connect(channel, scope.Grpc());
        await client.RequestAsync(TypeUrls.Cluster, "x");
        var named = await client.ExpectAndAckAsync(TypeUrls.Cluster);

        await client.RequestAsync(TypeUrls.Cluster);
        var emptied = await client.ExpectAndAckAsync(TypeUrls.Cluster);
        await scope.PublishAsync(Make(TypeUrls.Cluster, "z"));

        Assert.Single(named.Resources);
        Assert.Empty(emptied.Resources);
        await client.ExpectNoResponseAsync();
    }

    [Fact]
    public async Task EmptyNames_AfterAnEmptyFirstRequest_StaysAWildcard()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Make(TypeUrls.Cluster, "x"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = SotwAdsTestClient.Connect(channel, scope.Grpc());
        await client.RequestAsync(TypeUrls.Cluster);
        await client.ExpectAndAckAsync(TypeUrls.Cluster);

        await client.RequestAsync(TypeUrls.Cluster);
        await scope.PublishAsync(Make(TypeUrls.Cluster, "y"));
        var push = await client.ExpectAndAckAsync(TypeUrls.Cluster);
        if (push.Resources.Count == 1)
        {
            // The request (no nonce) was answered before "y" was committed: the push follows.
            push = await client.ExpectAndAckAsync(TypeUrls.Cluster);
        }

        Assert.Equal(2, push.Resources.Count);
    }

    [Theory]
    [InlineData(TypeUrls.RouteConfiguration)]
    [InlineData(TypeUrls.ClusterLoadAssignment)]
    public async Task EmptyNames_ForRoutesAndEndpoints_SubscribesToNothingButIsAnswered(string typeUrl)
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Make(typeUrl, "x"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = SotwAdsTestClient.Connect(channel, scope.Grpc());

        await client.RequestAsync(typeUrl);
        var response = await client.ExpectAndAckAsync(typeUrl);
        await scope.PublishAsync(Make(typeUrl, "x", "v2"));

        Assert.Empty(response.Resources);
        await client.ExpectNoResponseAsync();
    }

    [Fact]
    public async Task StarName_IsAWildcard()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Endpoints("a"), Endpoints("b"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = SotwAdsTestClient.Connect(channel, scope.Grpc());

        await client.RequestAsync(TypeUrls.ClusterLoadAssignment, "*");
        var response = await client.ExpectAndAckAsync(TypeUrls.ClusterLoadAssignment);

        Assert.Equal(["a", "b"], response.Resources.Select(ClusterName).Order());
    }

    [Fact]
    public async Task Removal_IsByOmission()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Cluster("a"), Cluster("b"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = SotwAdsTestClient.Connect(channel, scope.Grpc());
        await client.RequestAsync(TypeUrls.Cluster);
        await client.ExpectAndAckAsync(TypeUrls.Cluster);

        await scope.RemoveAsync(TypeUrls.Cluster, "b");
        var push = await client.ExpectAndAckAsync(TypeUrls.Cluster);

        Assert.Equal(["a"], push.Resources.Select(r => ClusterContentName(r)));
    }

    [Fact]
    public async Task VersionInfo_ChangesExactlyWhenTheContentChanges()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Cluster("a"), Cluster("b"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = SotwAdsTestClient.Connect(channel, scope.Grpc());
        await client.RequestAsync(TypeUrls.Cluster);
        var original = await client.ExpectAndAckAsync(TypeUrls.Cluster);

        await scope.PublishAsync(Cluster("a"));
        await client.ExpectNoResponseAsync();
        await scope.PublishAsync(Cluster("a", "v2"));
        var changed = await client.ExpectAndAckAsync(TypeUrls.Cluster);
        await scope.PublishAsync(Cluster("a"));
        var reverted = await client.ExpectAndAckAsync(TypeUrls.Cluster);

        Assert.NotEqual(original.VersionInfo, changed.VersionInfo);
        Assert.Equal(original.VersionInfo, reverted.VersionInfo);
        Assert.NotEqual(original.Nonce, reverted.Nonce);
    }

    [Fact]
    public async Task VersionInfo_IsStableAcrossStreams()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Cluster("a"), Cluster("b"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var one = SotwAdsTestClient.Connect(channel, scope.Grpc("one"));
        await using var two = SotwAdsTestClient.Connect(channel, scope.Grpc("two"));

        await one.RequestAsync(TypeUrls.Cluster, "a", "b");
        await two.RequestAsync(TypeUrls.Cluster, "b", "a");

        Assert.Equal((await one.ExpectAndAckAsync(TypeUrls.Cluster)).VersionInfo, (await two.ExpectAndAckAsync(TypeUrls.Cluster)).VersionInfo);
    }

    [Fact]
    public async Task Ack_WithTheSameNames_IsNotAnswered()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Cluster("a"));
        using var channel = fixture.Server.CreateXdsChannel();
        var node = scope.Grpc();
        await using var client = SotwAdsTestClient.Connect(channel, node);
        await client.RequestAsync(TypeUrls.Cluster, "a");

        var response = await client.ExpectAndAckAsync(TypeUrls.Cluster);

        await DebugConnections.WaitUntilAsync(fixture.Server, node.Id,
            c => c.Count == 1 && c[0].GetProperty("types")[0].GetProperty("ackedNonce").GetString() == response.Nonce, "the ACK is recorded");
        await client.ExpectNoResponseAsync();
    }

    [Fact]
    public async Task Ack_RepeatingADuplicatedName_IsNotAnswered()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Endpoints("a"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = SotwAdsTestClient.Connect(channel, scope.Grpc());
        await client.RequestAsync(TypeUrls.ClusterLoadAssignment, "a", "a");

        var response = await client.ExpectAndAckAsync(TypeUrls.ClusterLoadAssignment);

        Assert.Single(response.Resources);
        await client.ExpectNoResponseAsync();
    }

    [Fact]
    public async Task Ack_WithNewNames_IsAnsweredWithTheNewSet()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Endpoints("a"), Endpoints("b"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = SotwAdsTestClient.Connect(channel, scope.Grpc());
        await client.RequestAsync(TypeUrls.ClusterLoadAssignment, "a");
        var first = await client.ExpectResponseAsync(TypeUrls.ClusterLoadAssignment);

        var ack = new DiscoveryRequest { TypeUrl = TypeUrls.ClusterLoadAssignment, VersionInfo = first.VersionInfo, ResponseNonce = first.Nonce, ResourceNames = { "a", "b" } };
        await client.SendRequestAsync(ack);
        var second = await client.ExpectResponseAsync(TypeUrls.ClusterLoadAssignment);

        Assert.Equal(["a", "b"], second.Resources.Select(ClusterName).Order());
    }

    [Fact]
    public async Task Nack_IsRecordedWithVersionAndNotAnswered()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Cluster("a"));
        using var channel = fixture.Server.CreateXdsChannel();
        var node = scope.Grpc();
        await using var client = SotwAdsTestClient.Connect(channel, node);
        await client.RequestAsync(TypeUrls.Cluster, "a");
        var good = await client.ExpectAndAckAsync(TypeUrls.Cluster);
        await scope.PublishAsync(Cluster("a", "MAGLEV"));
        var bad = await client.ExpectResponseAsync(TypeUrls.Cluster);

        await client.NackAsync(bad, "Cluster message validation failed: unsupported lb_policy");
        await DebugConnections.WaitUntilAsync(fixture.Server, node.Id,
            c => c.Count == 1 && c[0].GetProperty("types")[0].GetProperty("nackCount").GetInt32() == 1, "the NACK is recorded");
        await client.ExpectNoResponseAsync();
        var nack = (await DebugConnections.TypeAsync(fixture.Server, node.Id, TypeUrls.Cluster)).GetProperty("lastNack");
        await scope.PublishAsync(Cluster("a", "v3"));
        var fixedUp = await client.ExpectAndAckAsync(TypeUrls.Cluster);

        Assert.Equal(bad.Nonce, nack.GetProperty("nonce").GetString());
        Assert.Equal(good.VersionInfo, nack.GetProperty("versionInfo").GetString());
        Assert.Equal("Cluster message validation failed: unsupported lb_policy", nack.GetProperty("message").GetString());
        Assert.Equal("v3", ClusterContent(fixedUp.Resources[0]));
    }

    [Fact]
    public async Task Nack_CarryingNewNames_IsAnsweredWithTheNewSet()
    {
        // grpc-js repeats its standing NACK on every request of the type, including one that subscribes more names.
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Endpoints("a"), Endpoints("b"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = SotwAdsTestClient.Connect(channel, scope.Grpc());
        await client.RequestAsync(TypeUrls.ClusterLoadAssignment, "a");
        var bad = await client.ExpectResponseAsync(TypeUrls.ClusterLoadAssignment);
        var nack = new DiscoveryRequest
        {
            TypeUrl = TypeUrls.ClusterLoadAssignment,
            ResponseNonce = bad.Nonce,
            ErrorDetail = new Google.Rpc.Status { Code = 3, Message = "rejected" },
            ResourceNames = { "a" },
        };
        await client.SendRequestAsync(nack);
        await client.ExpectNoResponseAsync();

        nack.ResourceNames.Add("b");
        await client.SendRequestAsync(nack);
        var response = await client.ExpectResponseAsync(TypeUrls.ClusterLoadAssignment);

        Assert.Equal(["a", "b"], response.Resources.Select(ClusterName).Order());
    }

    [Fact]
    public async Task StaleNonce_IsIgnored()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Endpoints("a"), Endpoints("b"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = SotwAdsTestClient.Connect(channel, scope.Grpc());
        await client.RequestAsync(TypeUrls.ClusterLoadAssignment, "a");
        var first = await client.ExpectResponseAsync(TypeUrls.ClusterLoadAssignment);
        await scope.PublishAsync(Endpoints("a", 2));
        var second = await client.ExpectResponseAsync(TypeUrls.ClusterLoadAssignment);

        var stale = new DiscoveryRequest { TypeUrl = TypeUrls.ClusterLoadAssignment, VersionInfo = first.VersionInfo, ResponseNonce = first.Nonce, ResourceNames = { "a", "b" } };
        await client.SendRequestAsync(stale);
        await client.ExpectNoResponseAsync();
        var current = new DiscoveryRequest { TypeUrl = TypeUrls.ClusterLoadAssignment, VersionInfo = second.VersionInfo, ResponseNonce = second.Nonce, ResourceNames = { "a", "b" } };
        await client.SendRequestAsync(current);
        var third = await client.ExpectResponseAsync(TypeUrls.ClusterLoadAssignment);

        Assert.Equal(["a", "b"], third.Resources.Select(ClusterName).Order());
    }

    [Fact]
    public async Task ChangeToAnUnsubscribedName_IsNotPushed()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Endpoints("a"), Endpoints("b"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = SotwAdsTestClient.Connect(channel, scope.Grpc());
        await client.RequestAsync(TypeUrls.ClusterLoadAssignment, "a");
        await client.ExpectAndAckAsync(TypeUrls.ClusterLoadAssignment);

        await scope.PublishAsync(Endpoints("b", 2));

        await client.ExpectNoResponseAsync();
    }

    [Fact]
    public async Task Reconnect_WithTheLastVersion_IsAnsweredWithTheCurrentSet()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Cluster("a"));
        using var channel = fixture.Server.CreateXdsChannel();
        string version;
        await using (var first = SotwAdsTestClient.Connect(channel, scope.Grpc()))
        {
            await first.RequestAsync(TypeUrls.Cluster, "a");
            version = (await first.ExpectAndAckAsync(TypeUrls.Cluster)).VersionInfo;
        }

        await using var second = SotwAdsTestClient.Connect(channel, scope.Grpc());
        await second.SendRequestAsync(new DiscoveryRequest { TypeUrl = TypeUrls.Cluster, VersionInfo = version, ResourceNames = { "a" } });
        var response = await second.ExpectAndAckAsync(TypeUrls.Cluster);

        Assert.Equal(version, response.VersionInfo);
        Assert.Single(response.Resources);
    }

    private static ControlPlane.Xds.Resources.XdsResource Make(string typeUrl, string name, string content = "v1") => typeUrl switch
    {
        TypeUrls.Listener => Listener(name, content),
        TypeUrls.Cluster => Cluster(name, content),
        TypeUrls.RouteConfiguration => Route(name, content),
        _ => Endpoints(name, content == "v1" ? 1u : 2u),
    };

    private static Envoy.Config.Endpoint.V3.ClusterLoadAssignment Unpack(Google.Protobuf.WellKnownTypes.Any any) =>
        Envoy.Config.Endpoint.V3.ClusterLoadAssignment.Parser.ParseFrom(any.Value);

    private static string ClusterName(Google.Protobuf.WellKnownTypes.Any any) => Unpack(any).ClusterName;

    private static string ClusterContentName(Google.Protobuf.WellKnownTypes.Any any) => Envoy.Config.Cluster.V3.Cluster.Parser.ParseFrom(any.Value).Name;
}
