using ControlPlane.Ca.Tests.Server;
using ControlPlane.Testing.Xds;
using ControlPlane.Xds;
using Grpc.Core;

namespace ControlPlane.Ca.Tests.Authentication;

public sealed class KubernetesTokenAuthenticatorTests(KubernetesMeshFixture fixture) : IClassFixture<KubernetesMeshFixture>
{
    private const string WebId = "spiffe://cluster.local/ns/shop/sa/web";

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Kubernetes")]
    public async Task CreateCertificate_BoundTokenOfTheLocalCluster_IssuesForItsServiceAccount(string? clusterId)
    {
        using var channel = fixture.Server.CreateSecureChannel(token: KubernetesMeshFixture.Web, clusterId: clusterId);

        var response = await CaClient.CreateAsync(channel, TestPki.EcCsr());

        Assert.Equal([WebId], TestPki.Uris(TestPki.ParseChain(response.CertChain)[0]));
        Assert.Contains(fixture.Api.Requests, r => r.Verb == "tokenreview");
    }

    [Fact]
    public async Task CreateCertificate_ZtunnelTokenImpersonatingAPodOnItsNode_IsGranted()
    {
        using var channel = fixture.Server.CreateSecureChannel(token: KubernetesMeshFixture.ZtunnelA, clusterId: "Kubernetes");

        var response = await CaClient.CreateAsync(channel, TestPki.EcCsr(WebId), impersonate: WebId);

        Assert.Equal([WebId], TestPki.Uris(TestPki.ParseChain(response.CertChain)[0]));
    }

    [Fact]
    public async Task CreateCertificate_ZtunnelTokenImpersonatingAPodOnAnotherNode_IsUnauthenticated()
    {
        using var channel = fixture.Server.CreateSecureChannel(token: KubernetesMeshFixture.ZtunnelA);

        var error = await Assert.ThrowsAsync<RpcException>(() => CaClient.CreateAsync(channel, TestPki.EcCsr(), impersonate: "spiffe://cluster.local/ns/shop/sa/db"));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Theory]
    [InlineData(KubernetesMeshFixture.WrongAudience, null)]
    [InlineData(KubernetesMeshFixture.Expired, null)]
    [InlineData("never-issued", null)]
    [InlineData(KubernetesMeshFixture.NotAServiceAccount, null)]
    [InlineData(KubernetesMeshFixture.Web, "some-remote-cluster")]
    public async Task CreateCertificate_TokenNotOfAServiceAccountForUs_IsUnauthenticated(string token, string? clusterId)
    {
        using var channel = fixture.Server.CreateSecureChannel(token: token, clusterId: clusterId);

        var error = await Assert.ThrowsAsync<RpcException>(() => CaClient.CreateAsync(channel, TestPki.EcCsr()));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("request authenticate failure", error.Status.Detail);
    }

    [Fact]
    public async Task Stream_ZtunnelWithItsBoundTokenOnTheSecurePort_GetsItsXds()
    {
        using var channel = fixture.Server.CreateSecureChannel(token: KubernetesMeshFixture.ZtunnelA, clusterId: "Kubernetes");
        await using var ztunnel = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, XdsNodes.Ztunnel(nodeName: "node-a", podName: "ztunnel-a"));

        await ztunnel.ExpectAndAckAsync(TypeUrls.Address);
        await ztunnel.ExpectAndAckAsync(TypeUrls.Authorization);
    }

    [Fact]
    public async Task Stream_WrongAudienceToken_IsUnauthenticatedWithTheReason()
    {
        using var channel = fixture.Server.CreateSecureChannel(token: KubernetesMeshFixture.WrongAudience);
        await using var client = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, XdsNodes.Ztunnel(ns: "shop"));

        var status = await client.ExpectClosedAsync();

        Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        Assert.Contains("did not authenticate the token", status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(KubernetesMeshFixture.WrongAudience, status.Detail, StringComparison.Ordinal);
    }
}
