using ControlPlane.Testing.Xds;
using Envoy.Service.Discovery.V3;
using static ControlPlane.Xds.Tests.Server.TestResources;

namespace ControlPlane.Xds.Tests.Server;

/// <summary>Delta ADS as ztunnel and Envoy use it (spec §1.4–§1.9), through the real gRPC stack.</summary>
public sealed class DeltaConnectionTests(XdsServerFixture fixture) : IClassFixture<XdsServerFixture>
{
    private const string Addresses = TypeUrls.Address;

    [Fact]
    public async Task FirstRequest_WildcardOnEmptyTable_IsAnsweredEmpty()
    {
        var scope = new TestScope(fixture.Server);
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await client.SubscribeAsync(Addresses);

        var response = await client.ExpectAndAckAsync(Addresses);

        Assert.Empty(response.Resources);
        Assert.Empty(response.RemovedResources);
        Assert.NotEmpty(response.Nonce);
        await client.ExpectNoResponseAsync();
    }

    [Fact]
    public async Task FirstRequest_UnknownTypeUrl_IsAnsweredEmptyWithoutGrowingTheHub()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("a"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await client.SubscribeAsync("type.googleapis.com/test.Unknown");

        var unknown = await client.ExpectAndAckAsync("type.googleapis.com/test.Unknown");
        await client.SubscribeAsync(Addresses);
        var addresses = await client.ExpectAndAckAsync(Addresses);

        Assert.Empty(unknown.Resources);
        Assert.Empty(unknown.RemovedResources);
        Assert.Equal(["a"], addresses.Resources.Select(r => r.Name));
        Assert.DoesNotContain(fixture.Server.Hub.Tables, t => t.Key.TypeUrl == "type.googleapis.com/test.Unknown");
        Assert.Equal(System.Net.HttpStatusCode.NotFound,
            (await fixture.Server.Http.GetAsync("/debug/resources/type.googleapis.com/test.Unknown")).StatusCode);
        Assert.DoesNotContain(fixture.Server.Hub.Tables, t => t.Key.TypeUrl == "type.googleapis.com/test.Unknown");
    }

    [Fact]
    public async Task Wildcard_EmptyFirstSubscribe_SendsEverythingThenOnlyChangesAndRemovals()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("a"), Address("b"), Address("c"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await client.SubscribeAsync(Addresses);

        var initial = await client.ExpectAndAckAsync(Addresses);
        var stored = scope.Table(Addresses).All.ToDictionary(r => r.Name, r => r.Version);
        await scope.ChangeAsync(Addresses, [Address("b", "v2")], ["c"]);
        var push = await client.ExpectAndAckAsync(Addresses);

        Assert.Equal(["a", "b", "c"], initial.Resources.Select(r => r.Name).Order());
        Assert.All(initial.Resources, r =>
        {
            Assert.Equal(stored[r.Name], r.Version);
            Assert.Equal(Addresses, r.Resource_.TypeUrl);
            Assert.Equal(r.Name, r.Resource_.Unpack<Istio.Workload.Address>().Workload.Uid);
        });
        Assert.Equal(["b"], push.Resources.Select(r => r.Name));
        Assert.Equal("v2", AddressContent(push.Resources[0].Resource_));
        Assert.Equal(["c"], push.RemovedResources);
        await client.ExpectNoResponseAsync();
    }

    [Fact]
    public async Task Wildcard_StarSubscribe_SendsEverything()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("a"), Address("b"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await client.SubscribeAsync(Addresses, subscribe: ["*"]);

        var initial = await client.ExpectAndAckAsync(Addresses);
        await scope.PublishAsync(Address("c"));
        var push = await client.ExpectAndAckAsync(Addresses);

        Assert.Equal(["a", "b"], initial.Resources.Select(r => r.Name).Order());
        Assert.Equal(["c"], push.Resources.Select(r => r.Name));
    }

    [Fact]
    public async Task Wildcard_NamedSubscribe_SendsTheResourceOrAnswersNotFound()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("a"), Address("b"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await client.SubscribeAsync(Addresses);
        await client.ExpectAndAckAsync(Addresses);

        await client.SubscribeAsync(Addresses, subscribe: ["a", "missing"]);
        var response = await client.ExpectAndAckAsync(Addresses);

        Assert.Equal(["a"], response.Resources.Select(r => r.Name));
        Assert.Equal(["missing"], response.RemovedResources);
    }

    [Fact]
    public async Task Wildcard_ChangesWhileTheClientIsNotReading_AreMergedIntoOneResponseWithTheLatestState()
    {
        // The client does not read at first, so flow control holds the (large) initial response; the 42
        // batches committed meanwhile reach the stream as one response.
        var scope = new TestScope(fixture.Server);
        var body = new string('x', 2_000);
        await scope.PublishAsync([.. Enumerable.Range(0, 2_000).Select(i => Address($"w{i}", body)), Address("a"), Address("b"), Address("c")]);
        var node = scope.Ztunnel();
        using var channel = fixture.Server.CreateXdsChannel();
        using var call = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel).DeltaAggregatedResources();
        await call.RequestStream.WriteAsync(new DeltaDiscoveryRequest { Node = node, TypeUrl = Addresses });
        await DebugConnections.WaitUntilAsync(fixture.Server, node.Id,
            c => c.Count == 1 && c[0].GetProperty("types").EnumerateArray().Any(t => t.GetProperty("responsesSent").GetInt64() == 1),
            "the initial response is being written");

        for (var i = 0; i < 40; i++)
        {
            await scope.ChangeAsync(Addresses, [Address("a", $"v{i + 2}"), Address("e", $"v{i + 2}")], []);
        }
        await scope.ChangeAsync(Addresses, [Address("b", "v2")], []);
        await scope.ChangeAsync(Addresses, [Address("b", "v3"), Address("d")], ["a", "c"]);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var initial = call.ResponseStream.Current;
        await call.RequestStream.WriteAsync(new DeltaDiscoveryRequest { TypeUrl = Addresses, ResponseNonce = initial.Nonce });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var merged = call.ResponseStream.Current;

        Assert.Equal(2_003, initial.Resources.Count);
        Assert.Equal(["b:v3", "d:v1", "e:v41"], merged.Resources.Select(r => $"{r.Name}:{AddressContent(r.Resource_)}").Order());
        Assert.Equal(["a", "c"], merged.RemovedResources.Order());
        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task Wildcard_UnsubscribingANamedResource_KeepsItFlowingThroughTheWildcard()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("a"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await client.SubscribeAsync(Addresses, subscribe: ["*", "a"]);
        await client.ExpectAndAckAsync(Addresses);

        await client.SubscribeAsync(Addresses, unsubscribe: ["a"]);
        await client.ExpectAndAckAsync(Addresses);
        await scope.PublishAsync(Address("a", "v2"));
        var push = await client.ExpectAndAckAsync(Addresses);

        Assert.Equal(["a"], push.Resources.Select(r => r.Name));
        Assert.Empty(push.RemovedResources);
    }

    [Fact]
    public async Task UnsubscribeStar_AfterWildcard_KeepsOnlyTheNamedResources()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("a"), Address("b"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await client.SubscribeAsync(Addresses);
        await client.ExpectAndAckAsync(Addresses);

        await client.SubscribeAsync(Addresses, subscribe: ["a"], unsubscribe: ["*"]);
        var narrowed = await client.ExpectAndAckAsync(Addresses);
        await scope.PublishAsync(Address("b", "v2"), Address("c"));
        await client.ExpectNoResponseAsync();
        await scope.PublishAsync(Address("a", "v2"));
        var push = await client.ExpectAndAckAsync(Addresses);

        Assert.Equal(["a"], narrowed.Resources.Select(r => r.Name));
        Assert.Empty(narrowed.RemovedResources);
        Assert.Equal(["a"], push.Resources.Select(r => r.Name));
    }

    [Fact]
    public async Task SubscribeStar_AfterNamed_SendsEverythingTheClientDoesNotHold()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("a"), Address("b"), Address("c"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await client.SubscribeAsync(Addresses, subscribe: ["a"]);
        await client.ExpectAndAckAsync(Addresses);

        await client.SubscribeAsync(Addresses, subscribe: ["*"]);
        var widened = await client.ExpectAndAckAsync(Addresses);
        await scope.PublishAsync(Address("d"));
        var push = await client.ExpectAndAckAsync(Addresses);

        Assert.Equal(["b", "c"], widened.Resources.Select(r => r.Name).Order());
        Assert.Equal(["d"], push.Resources.Select(r => r.Name));
    }

    [Fact]
    public async Task SubscribeAndUnsubscribeStar_InTheFirstRequest_SubscribesToNothing()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("a"), Address("b"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await client.SubscribeAsync(Addresses, subscribe: ["*"], unsubscribe: ["*"]);

        var initial = await client.ExpectAndAckAsync(Addresses);
        await scope.PublishAsync(Address("a", "v2"), Address("c"));
        await client.ExpectNoResponseAsync();
        await client.SubscribeAsync(Addresses, subscribe: ["b"]);
        var lookup = await client.ExpectAndAckAsync(Addresses);

        Assert.Empty(initial.Resources);
        Assert.Empty(initial.RemovedResources);
        Assert.Equal(["b"], lookup.Resources.Select(r => r.Name));
        Assert.Empty(lookup.RemovedResources);
    }

    [Fact]
    public async Task NamedSubscribe_SendsOnlyTheNamedResourcesAndTheirChanges()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("a"), Address("b"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await client.SubscribeAsync(Addresses, subscribe: ["a"]);

        var initial = await client.ExpectAndAckAsync(Addresses);
        await scope.PublishAsync(Address("b", "v2"));
        await client.ExpectNoResponseAsync();
        await scope.PublishAsync(Address("a", "v2"));
        var changed = await client.ExpectAndAckAsync(Addresses);
        await scope.RemoveAsync(Addresses, "a");
        var removed = await client.ExpectAndAckAsync(Addresses);

        Assert.Equal(["a"], initial.Resources.Select(r => r.Name));
        Assert.Equal(["a"], changed.Resources.Select(r => r.Name));
        Assert.Equal("v2", AddressContent(changed.Resources[0].Resource_));
        Assert.Empty(removed.Resources);
        Assert.Equal(["a"], removed.RemovedResources);
    }

    [Fact]
    public async Task NamedSubscribe_MissingName_IsAnsweredInRemovedResourcesAndSentOnceCreated()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("a"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await client.SubscribeAsync(Addresses, subscribe: ["a", "missing"]);

        var initial = await client.ExpectAndAckAsync(Addresses);
        await scope.PublishAsync(Address("missing"));
        var created = await client.ExpectAndAckAsync(Addresses);

        Assert.Equal(["a"], initial.Resources.Select(r => r.Name));
        Assert.Equal(["missing"], initial.RemovedResources);
        Assert.Equal(["missing"], created.Resources.Select(r => r.Name));
    }

    [Fact]
    public async Task Unsubscribe_StopsChangesWithoutARemoval_AndResubscribingSendsTheResourceAgain()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("a"), Address("b"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await client.SubscribeAsync(Addresses, subscribe: ["a", "b"]);
        await client.ExpectAndAckAsync(Addresses);

        await client.SubscribeAsync(Addresses, unsubscribe: ["a"]);
        var unsubscribed = await client.ExpectAndAckAsync(Addresses);
        await scope.PublishAsync(Address("a", "v2"));
        await client.ExpectNoResponseAsync();
        await client.SubscribeAsync(Addresses, subscribe: ["a"]);
        var resubscribed = await client.ExpectAndAckAsync(Addresses);

        Assert.Empty(unsubscribed.Resources);
        Assert.Empty(unsubscribed.RemovedResources);
        Assert.Equal(["a"], resubscribed.Resources.Select(r => r.Name));
        Assert.Equal("v2", AddressContent(resubscribed.Resources[0].Resource_));
    }

    [Fact]
    public async Task Subscribe_ANameTheClientAlreadyHolds_SendsItAgain()
    {
        // discovery.proto: "the server must respond with all resources listed in resource_names_subscribe,
        // even if it believes the client has the most recent version of them".
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("a"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await client.SubscribeAsync(Addresses, subscribe: ["a"]);
        var initial = await client.ExpectAndAckAsync(Addresses);

        await client.SubscribeAsync(Addresses, subscribe: ["a"]);
        var again = await client.ExpectAndAckAsync(Addresses);

        Assert.Equal(["a"], again.Resources.Select(r => r.Name));
        Assert.Equal(initial.Resources[0].Version, again.Resources[0].Version);
    }

    [Fact]
    public async Task Reconnect_NamedWithInitialVersions_SendsOnlyTheDifference()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("same"), Address("changed"), Address("vanishes"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var first = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await first.SubscribeAsync(Addresses, ["same", "changed", "vanishes"]);
        var initial = await first.ExpectAndAckAsync(Addresses);
        Assert.Equal(3, initial.Resources.Count);

        await scope.ChangeAsync(Addresses, [Address("changed", "v2")], ["vanishes"]);
        await using var second = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await second.SubscribeAsync(Addresses, ["same", "changed", "vanishes"], initialResourceVersions: first.Held(Addresses));
        var resync = await second.ExpectAndAckAsync(Addresses);

        Assert.Equal(["changed"], resync.Resources.Select(r => r.Name));
        Assert.Equal(["vanishes"], resync.RemovedResources);
    }

    [Fact]
    public async Task Reconnect_WildcardWithInitialVersions_SkipsUnchangedResendsChangedAndUnversionedRemovesVanished()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("same"), Address("changed"), Address("vanishes"), Address("unversioned"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var first = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, scope.Ztunnel());
        await first.ExpectAndAckAsync(Addresses);
        await first.ExpectAndAckAsync(TypeUrls.Authorization);

        await scope.ChangeAsync(Addresses, [Address("changed", "v2"), Address("added")], ["vanishes"]);
        var held = new Dictionary<string, string>(first.Held(Addresses)) { ["unversioned"] = string.Empty, ["never-existed"] = "0123456789abcdef" };
        await using var second = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await second.SubscribeAsync(Addresses, initialResourceVersions: held);
        var resync = await second.ExpectAndAckAsync(Addresses);

        Assert.Equal(["added", "changed", "unversioned"], resync.Resources.Select(r => r.Name).Order());
        Assert.Equal(["never-existed", "vanishes"], resync.RemovedResources.Order());
        await scope.PublishAsync(Address("same", "v2"));
        var push = await second.ExpectAndAckAsync(Addresses);
        Assert.Equal(["same"], push.Resources.Select(r => r.Name));
    }

    [Fact]
    public async Task Reconnect_WildcardHoldingExactlyTheTable_IsAnsweredEmptyAndThenSentChanges()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("a"), Address("b"), Address("c"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var first = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, scope.Ztunnel());
        await first.ExpectAndAckAsync(Addresses);
        await first.ExpectAndAckAsync(TypeUrls.Authorization);

        await using var second = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await second.SubscribeAsync(Addresses, initialResourceVersions: first.Held(Addresses));
        var resync = await second.ExpectAndAckAsync(Addresses);
        await scope.ChangeAsync(Addresses, [Address("b", "v2")], ["c"]);
        var push = await second.ExpectAndAckAsync(Addresses);

        Assert.Empty(resync.Resources);
        Assert.Empty(resync.RemovedResources);
        Assert.Equal(["b"], push.Resources.Select(r => r.Name));
        Assert.Equal(["c"], push.RemovedResources);
    }

    [Fact]
    public async Task Reconnect_WildcardHoldingPartOfTheTable_IsSentTheRest()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("a"), Address("b"));
        var version = scope.Table(Addresses).TryGet("a", out var held) ? held.Version : string.Empty;
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await client.SubscribeAsync(Addresses, initialResourceVersions: new Dictionary<string, string> { ["a"] = version });

        var resync = await client.ExpectAndAckAsync(Addresses);

        Assert.Equal(["b"], resync.Resources.Select(r => r.Name));
        Assert.Empty(resync.RemovedResources);
    }

    [Fact]
    public async Task Reconnect_OnDemandWithInitialVersions_KeepsHeldKeysSubscribedAndRemovesVanishedOnes()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("held"), Address("other"));
        var version = Assert.IsType<string>(scope.Table(Addresses).TryGet("held", out var held) ? held.Version : null);
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await client.SubscribeAsync(Addresses, subscribe: ["*"], unsubscribe: ["*"],
            initialResourceVersions: new Dictionary<string, string> { ["held"] = version, ["pending-key"] = string.Empty });

        var resync = await client.ExpectAndAckAsync(Addresses);
        await scope.PublishAsync(Address("held", "v2"), Address("other", "v2"));
        var push = await client.ExpectAndAckAsync(Addresses);

        Assert.Empty(resync.Resources);
        Assert.Equal(["pending-key"], resync.RemovedResources);
        Assert.Equal(["held"], push.Resources.Select(r => r.Name));
    }

    [Fact]
    public async Task Reconnect_FirstRequestCarryingANonceOfTheOldStream_IsAnswered()
    {
        // istiod: a client reconnecting to a restarted server may send the last nonce it saw.
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("a"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());

        await client.SendRequestAsync(new DeltaDiscoveryRequest { TypeUrl = Addresses, ResponseNonce = "c999-7" });
        var response = await client.ExpectAndAckAsync(Addresses);

        Assert.Equal(["a"], response.Resources.Select(r => r.Name));
    }

    [Fact]
    public async Task Responses_CarryNoncesUniqueAcrossTypesAndStreams()
    {
        var scope = new TestScope(fixture.Server);
        using var channel = fixture.Server.CreateXdsChannel();
        await using var one = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, scope.Ztunnel("one"));
        await using var two = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, scope.Ztunnel("two"));
        var nonces = new List<string>();
        foreach (var client in new[] { one, two })
        {
            nonces.Add((await client.ExpectAndAckAsync(Addresses)).Nonce);
            nonces.Add((await client.ExpectAndAckAsync(TypeUrls.Authorization)).Nonce);
        }

        for (var i = 0; i < 3; i++)
        {
            await scope.PublishAsync(Address("a", $"v{i}"));
            nonces.Add((await one.ExpectAndAckAsync(Addresses)).Nonce);
            nonces.Add((await two.ExpectAndAckAsync(Addresses)).Nonce);
        }

        Assert.Equal(10, nonces.Count);
        Assert.All(nonces, n => Assert.False(string.IsNullOrEmpty(n)));
        Assert.Equal(nonces.Count, nonces.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task Ack_WithoutSubscriptionChange_IsRecordedAndNotAnswered()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("a"));
        using var channel = fixture.Server.CreateXdsChannel();
        var node = scope.Ztunnel();
        await using var client = DeltaAdsTestClient.Connect(channel, node);
        await client.SubscribeAsync(Addresses);

        var response = await client.ExpectAndAckAsync(Addresses);

        await DebugConnections.WaitUntilAsync(fixture.Server, node.Id,
            c => c.Count == 1 && c[0].GetProperty("types")[0].GetProperty("ackedNonce").GetString() == response.Nonce, "the ACK is recorded");
        await client.ExpectNoResponseAsync();
    }

    [Fact]
    public async Task Ack_CarryingASubscription_IsAnswered()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("a"), Address("b"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await client.SubscribeAsync(Addresses, subscribe: ["a"]);
        var initial = await client.ExpectResponseAsync(Addresses);

        var ack = new DeltaDiscoveryRequest { TypeUrl = Addresses, ResponseNonce = initial.Nonce };
        ack.ResourceNamesSubscribe.Add("b");
        await client.SendRequestAsync(ack);
        var response = await client.ExpectAndAckAsync(Addresses);

        Assert.Equal(["b"], response.Resources.Select(r => r.Name));
    }

    [Fact]
    public async Task Nack_IsRecordedAndNotAnswered_AndTheStreamKeepsServing()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("bad"), Address("good"));
        using var channel = fixture.Server.CreateXdsChannel();
        var node = scope.Ztunnel();
        await using var client = DeltaAdsTestClient.Connect(channel, node);
        await client.SubscribeAsync(Addresses);
        var response = await client.ExpectResponseAsync(Addresses);

        await client.NackAsync(response, "bad: unknown enum value", "bad");
        await DebugConnections.WaitUntilAsync(fixture.Server, node.Id,
            c => c.Count == 1 && c[0].GetProperty("types")[0].GetProperty("nackCount").GetInt32() == 1, "the NACK is recorded");
        var state = await DebugConnections.TypeAsync(fixture.Server, node.Id, Addresses);
        await client.ExpectNoResponseAsync();
        await scope.PublishAsync(Address("good", "v2"));
        var next = await client.ExpectAndAckAsync(Addresses);
        await scope.PublishAsync(Address("bad", "fixed"));
        var fixedUp = await client.ExpectAndAckAsync(Addresses);

        var nack = state.GetProperty("lastNack");
        Assert.Equal(response.Nonce, nack.GetProperty("nonce").GetString());
        Assert.Equal("bad: unknown enum value", nack.GetProperty("message").GetString());
        Assert.Equal(3, nack.GetProperty("code").GetInt32());
        Assert.Equal(["good"], next.Resources.Select(r => r.Name));
        Assert.Equal(["bad"], fixedUp.Resources.Select(r => r.Name));
    }

    [Fact]
    public async Task Nack_CarryingASubscription_IsRecordedOnceAndAnsweredForTheNewName()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("a"), Address("b"));
        using var channel = fixture.Server.CreateXdsChannel();
        var node = scope.Ztunnel();
        await using var client = DeltaAdsTestClient.Connect(channel, node);
        await client.SubscribeAsync(Addresses, subscribe: ["a"]);
        var rejected = await client.ExpectResponseAsync(Addresses);

        var nack = new DeltaDiscoveryRequest
        {
            TypeUrl = Addresses,
            ResponseNonce = rejected.Nonce,
            ErrorDetail = new Google.Rpc.Status { Code = 3, Message = "a: rejected" },
        };
        await client.SendRequestAsync(nack);
        nack.ResourceNamesSubscribe.Add("b");
        await client.SendRequestAsync(nack);
        var response = await client.ExpectAndAckAsync(Addresses);

        Assert.Equal(["b"], response.Resources.Select(r => r.Name));
        Assert.Equal(1, (await DebugConnections.TypeAsync(fixture.Server, node.Id, Addresses)).GetProperty("nackCount").GetInt32());
    }

    [Fact]
    public async Task StaleNonce_IsIgnored()
    {
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("a"));
        using var channel = fixture.Server.CreateXdsChannel();
        var node = scope.Ztunnel();
        await using var client = DeltaAdsTestClient.Connect(channel, node);
        await client.SubscribeAsync(Addresses);
        var first = await client.ExpectResponseAsync(Addresses);
        await scope.PublishAsync(Address("a", "v2"));
        var second = await client.ExpectResponseAsync(Addresses);

        await client.AckAsync(first);
        await client.NackAsync(first, "late rejection");
        await client.ExpectNoResponseAsync();
        await client.AckAsync(second);
        await DebugConnections.WaitUntilAsync(fixture.Server, node.Id,
            c => c.Count == 1 && c[0].GetProperty("types")[0].GetProperty("ackedNonce").GetString() == second.Nonce, "the second ACK is recorded");

        var state = await DebugConnections.TypeAsync(fixture.Server, node.Id, Addresses);
        Assert.Equal(0, state.GetProperty("nackCount").GetInt32());
        await client.ExpectNoResponseAsync();
    }

    [Fact]
    public async Task StaleNonce_CarryingASubscription_StillSubscribes()
    {
        // Envoy puts pending (un)subscriptions on its next ACK; they are deltas and would be lost for good.
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("a"), Address("b"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await client.SubscribeAsync(Addresses, subscribe: ["a"]);
        var first = await client.ExpectResponseAsync(Addresses);
        await scope.PublishAsync(Address("a", "v2"));
        await client.ExpectResponseAsync(Addresses);

        var staleAck = new DeltaDiscoveryRequest { TypeUrl = Addresses, ResponseNonce = first.Nonce };
        staleAck.ResourceNamesSubscribe.Add("b");
        await client.SendRequestAsync(staleAck);
        var response = await client.ExpectAndAckAsync(Addresses);

        Assert.Equal(["b"], response.Resources.Select(r => r.Name));
    }

    [Fact]
    public async Task UnknownNonce_IsIgnoredAndTheStreamKeepsServing()
    {
        var scope = new TestScope(fixture.Server);
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, scope.Ztunnel());
        await client.SubscribeAsync(Addresses);
        await client.ExpectAndAckAsync(Addresses);

        await client.SendRequestAsync(new DeltaDiscoveryRequest { TypeUrl = Addresses, ResponseNonce = "no-such-nonce" });
        await client.ExpectNoResponseAsync();
        await scope.PublishAsync(Address("a"));
        var push = await client.ExpectAndAckAsync(Addresses);

        Assert.Equal(["a"], push.Resources.Select(r => r.Name));
    }

    [Fact]
    public async Task CompatibilityLevel_ServesTheAdaptedVariantFromTheFirstResponseOn()
    {
        // The variant table is created by this stream's first request, after the resources were published.
        var scope = new TestScope(fixture.Server);
        await scope.PublishAsync(Address("a"), Address("new-b"));
        var oldNode = scope.Ztunnel("old");
        oldNode.Metadata.Fields[TestCompatibility.MetadataKey] = Google.Protobuf.WellKnownTypes.Value.ForString(TestCompatibility.Old);
        using var channel = fixture.Server.CreateXdsChannel();
        await using var old = DeltaAdsTestClient.Connect(channel, oldNode);
        await using var latest = DeltaAdsTestClient.Connect(channel, scope.Ztunnel("latest"));
        await old.SubscribeAsync(Addresses);
        await latest.SubscribeAsync(Addresses);

        var oldInitial = await old.ExpectAndAckAsync(Addresses);
        var latestInitial = await latest.ExpectAndAckAsync(Addresses);
        await scope.PublishAsync(Address("a", "v2"), Address("new-c"));
        var oldPush = await old.ExpectAndAckAsync(Addresses);
        var latestPush = await latest.ExpectAndAckAsync(Addresses);

        Assert.Equal(["a:old:v1"], oldInitial.Resources.Select(r => $"{r.Name}:{AddressContent(r.Resource_)}"));
        Assert.Equal(["a:v1", "new-b:v1"], latestInitial.Resources.Select(r => $"{r.Name}:{AddressContent(r.Resource_)}").Order());
        Assert.Equal(["a:old:v2"], oldPush.Resources.Select(r => $"{r.Name}:{AddressContent(r.Resource_)}"));
        Assert.Equal(["a:v2", "new-c:v1"], latestPush.Resources.Select(r => $"{r.Name}:{AddressContent(r.Resource_)}").Order());
    }

    [Fact]
    public async Task ScopedTables_ServeEachProxyItsOwnScope()
    {
        var one = new TestScope(fixture.Server);
        var two = new TestScope(fixture.Server);
        await one.PublishAsync(Address("shared-name", "one"), Address("only-one"));
        await two.PublishAsync(Address("shared-name", "two"));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var clientOne = DeltaAdsTestClient.Connect(channel, one.Ztunnel());
        await using var clientTwo = DeltaAdsTestClient.Connect(channel, two.Ztunnel());
        await clientOne.SubscribeAsync(Addresses);
        await clientTwo.SubscribeAsync(Addresses);

        var initialOne = await clientOne.ExpectAndAckAsync(Addresses);
        var initialTwo = await clientTwo.ExpectAndAckAsync(Addresses);
        await two.PublishAsync(Address("only-two"));
        var pushTwo = await clientTwo.ExpectAndAckAsync(Addresses);

        Assert.Equal(["only-one:v1", "shared-name:one"], initialOne.Resources.Select(r => $"{r.Name}:{AddressContent(r.Resource_)}").Order());
        Assert.Equal(["two"], initialTwo.Resources.Select(r => AddressContent(r.Resource_)));
        Assert.Equal(["only-two"], pushTwo.Resources.Select(r => r.Name));
        await clientOne.ExpectNoResponseAsync();
    }
}
