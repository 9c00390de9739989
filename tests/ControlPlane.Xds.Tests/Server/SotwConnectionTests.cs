using ControlPlane.Testing.Xds;
using ControlPlane.Xds.Resources;

namespace ControlPlane.Xds.Tests.Server;

public sealed class SotwConnectionTests(XdsServerFixture fixture) : IClassFixture<XdsServerFixture>
{
    [Fact]
    public async Task RequestByName_ThenChange_SendsTheFullSubscribedSetWithANewVersion()
    {
        var scope = Guid.NewGuid().ToString("n");
        string a = $"{scope}-a", b = $"{scope}-b", other = $"{scope}-other";
        fixture.Server.Hub.Publish(new ResourceDelta(TypeUrls.ClusterLoadAssignment, string.Empty, [Endpoints(a, 1), Endpoints(b, 1), Endpoints(other, 1)], []));
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = SotwAdsTestClient.Connect(channel, XdsNodes.ProxylessGrpc());

        await client.RequestAsync(TypeUrls.ClusterLoadAssignment, a, b);
        var first = await client.ExpectAndAckAsync(TypeUrls.ClusterLoadAssignment);
        Assert.Equal(2, first.Resources.Count);

        fixture.Server.Hub.Publish(ResourceDelta.Upsert(Endpoints(b, 2)));
        var second = await client.ExpectAndAckAsync(TypeUrls.ClusterLoadAssignment);

        Assert.Equal(2, second.Resources.Count);
        Assert.NotEqual(first.VersionInfo, second.VersionInfo);
        Assert.Equal(2u, Envoy.Config.Endpoint.V3.ClusterLoadAssignment.Parser.ParseFrom(second.Resources.Single(r => Unpack(r).ClusterName == b).Value).Endpoints[0].LoadBalancingWeight);
    }

    private static Envoy.Config.Endpoint.V3.ClusterLoadAssignment Unpack(Google.Protobuf.WellKnownTypes.Any any) =>
        Envoy.Config.Endpoint.V3.ClusterLoadAssignment.Parser.ParseFrom(any.Value);

    private static XdsResource Endpoints(string name, uint weight) =>
        XdsResource.Create(TypeUrls.ClusterLoadAssignment, name, new Envoy.Config.Endpoint.V3.ClusterLoadAssignment
        {
            ClusterName = name,
            Endpoints = { new Envoy.Config.Endpoint.V3.LocalityLbEndpoints { LoadBalancingWeight = weight } },
        });
}
