using ControlPlane.Testing.Xds;
using ControlPlane.Xds;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ControlPlane.Ca.Tests.Server;

public sealed class MeshStreamAuthorizerTests(SecureMeshFixture fixture) : IClassFixture<SecureMeshFixture>
{
    [Fact]
    public async Task Ztunnel_TlsAndTokenOnTheSecurePort_GetsItsXds()
    {
        using var channel = fixture.Server.CreateSecureChannel(token: SecureMeshFixture.ZtunnelA, clusterId: "Kubernetes");
        await using var ztunnel = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, XdsNodes.Ztunnel(nodeName: "node-a", podName: "ztunnel-a"));

        var addresses = await ztunnel.ExpectAndAckAsync(TypeUrls.Address);
        await ztunnel.ExpectAndAckAsync(TypeUrls.Authorization);

        Assert.Contains(addresses.Resources, r => r.Name == "Kubernetes//Pod/shop/web-1");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-listed-token")]
    public async Task Stream_WithoutValidCredentials_IsUnauthenticated(string? token)
    {
        using var channel = fixture.Server.CreateSecureChannel(token: token);
        await using var ztunnel = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, XdsNodes.Ztunnel());

        var status = await ztunnel.ExpectClosedAsync();

        Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        // Refused before anything was sent.
        await Assert.ThrowsAsync<InvalidOperationException>(() => ztunnel.ExpectResponseAsync());
    }

    [Fact]
    public async Task Stream_NodeClaimsAnotherNamespaceThanItsIdentity_IsPermissionDenied()
    {
        using var channel = fixture.Server.CreateSecureChannel(token: SecureMeshFixture.Web);
        await using var ztunnel = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, XdsNodes.Ztunnel(ns: "istio-system"));

        var status = await ztunnel.ExpectClosedAsync();

        Assert.Equal(StatusCode.PermissionDenied, status.StatusCode);
        Assert.Contains("spiffe://cluster.local/ns/shop/sa/web", status.Detail, StringComparison.Ordinal);
        // Refused before anything was sent.
        await Assert.ThrowsAsync<InvalidOperationException>(() => ztunnel.ExpectResponseAsync());
    }

    [Fact]
    public async Task Stream_ServiceAccountMetadataOfAnotherAccount_IsPermissionDenied()
    {
        using var channel = fixture.Server.CreateSecureChannel(token: SecureMeshFixture.Web);
        var node = XdsNodes.Ztunnel(ns: "shop");
        node.Metadata.Fields["SERVICE_ACCOUNT"] = Value.ForString("db");
        await using var client = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, node);

        Assert.Equal(StatusCode.PermissionDenied, (await client.ExpectClosedAsync()).StatusCode);
    }

    [Fact]
    public async Task Stream_IdentityMatchingTheNode_IsServed()
    {
        using var channel = fixture.Server.CreateSecureChannel(token: SecureMeshFixture.Web);
        var node = XdsNodes.Ztunnel(ns: "shop");
        node.Metadata.Fields["SERVICE_ACCOUNT"] = Value.ForString("web");
        await using var client = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, node);

        await client.ExpectAndAckAsync(TypeUrls.Address);
    }

    [Fact]
    public async Task Stream_OnThePlaintextPort_NeedsNoCredentials()
    {
        using var channel = fixture.Server.CreateXdsChannel();
        await using var ztunnel = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, XdsNodes.Ztunnel());

        await ztunnel.ExpectAndAckAsync(TypeUrls.Address);
    }
}
