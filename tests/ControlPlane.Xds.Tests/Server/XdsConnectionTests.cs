using ControlPlane.Testing.Xds;
using ControlPlane.Xds.Resources;
using ControlPlane.Xds.Server;
using Envoy.Service.Discovery.V3;
using Microsoft.Extensions.DependencyInjection;

namespace ControlPlane.Xds.Tests.Server;

/// <summary>Request handling shared by delta and state of the world, driven over SotW.</summary>
public sealed class XdsConnectionTests(XdsServerFixture fixture) : IClassFixture<XdsServerFixture>
{
    private const string TypeUrl = TypeUrls.ClusterLoadAssignment;

    [Fact]
    public async Task Nack_CarryingNewNames_AnswersTheNewSubscription()
    {
        var scope = Guid.NewGuid().ToString("n");
        string a = $"{scope}-a", b = $"{scope}-b";
        fixture.Server.Hub.Publish(new ResourceDelta(TypeUrl, string.Empty, [Endpoints(a), Endpoints(b)], []));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = SotwAdsTestClient.Connect(channel, XdsNodes.ProxylessGrpc(podName: $"nack-names-{scope}"));
        await client.RequestAsync(TypeUrl, a);
        var rejected = await client.ExpectResponseAsync(TypeUrl);
        await client.NackAsync(rejected, $"{a}: rejected");
        await client.ExpectNoResponseAsync();

        // What grpc-js sends when it subscribes to another resource while its NACK stands.
        await client.SendRequestAsync(StandingNack(rejected, $"{a}: rejected", a, b));
        var answer = await client.ExpectResponseAsync(TypeUrl);

        Assert.Equal([a, b], answer.Resources.Select(r => Envoy.Config.Endpoint.V3.ClusterLoadAssignment.Parser.ParseFrom(r.Value).ClusterName).Order(StringComparer.Ordinal));
        Assert.NotEqual(rejected.Nonce, answer.Nonce);
    }

    [Fact]
    public async Task Nack_RepeatedForTheSameResponse_RecordedOnce()
    {
        var scope = Guid.NewGuid().ToString("n");
        string a = $"{scope}-a";
        fixture.Server.Hub.Publish(ResourceDelta.Upsert(Endpoints(a)));
        var node = XdsNodes.ProxylessGrpc(podName: $"nack-repeat-{scope}");
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = SotwAdsTestClient.Connect(channel, node);
        await client.RequestAsync(TypeUrl, a);
        var rejected = await client.ExpectResponseAsync(TypeUrl);

        await client.NackAsync(rejected, $"{a}: rejected");
        await client.SendRequestAsync(StandingNack(rejected, $"{a}: rejected", a));
        // A request without nonce is always answered, so its response shows both NACKs were handled.
        await client.RequestAsync(TypeUrl, a);
        await client.ExpectResponseAsync(TypeUrl);

        var state = fixture.Server.App.Services.GetRequiredService<ConnectionRegistry>().All
            .Single(c => c.Proxy?.Id == node.Id).SnapshotTypes().Single(t => t.TypeUrl == TypeUrl);
        Assert.Equal(1, state.NackCount);
        Assert.Equal(rejected.Nonce, state.LastNack?.Nonce);
        Assert.Equal($"{a}: rejected", state.LastNack?.Message);
    }

    private static DiscoveryRequest StandingNack(DiscoveryResponse rejected, string message, params string[] names)
    {
        var request = new DiscoveryRequest
        {
            TypeUrl = rejected.TypeUrl,
            ResponseNonce = rejected.Nonce,
            ErrorDetail = new Google.Rpc.Status { Code = (int)Grpc.Core.StatusCode.Unavailable, Message = message },
        };
        request.ResourceNames.AddRange(names);
        return request;
    }

    private static XdsResource Endpoints(string name) =>
        XdsResource.Create(TypeUrl, name, new Envoy.Config.Endpoint.V3.ClusterLoadAssignment
        {
            ClusterName = name,
            Endpoints = { new Envoy.Config.Endpoint.V3.LocalityLbEndpoints { LoadBalancingWeight = 1 } },
        });
}
