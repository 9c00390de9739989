using ControlPlane.Ca.Tests.Server;
using ControlPlane.Testing.Kubernetes;
using Grpc.Core;

namespace ControlPlane.Ca.Tests.Authentication;

public sealed class KubernetesTokenAuthenticatorOutageTests
{
    [Fact]
    public async Task CreateCertificate_ApiServerUnreachable_IsUnauthenticatedAndRecovers()
    {
        await using var api = await KubeApiServerDouble.StartAsync("Kubernetes");
        api.AddToken("t", TokenIdentity.ServiceAccount("shop", "web", "web-1", "u1", "istio-ca"));
        await using var server = await KubernetesMeshFixture.StartAsync(api);
        using var channel = server.CreateSecureChannel(token: "t");

        api.Reachable = false;
        var error = await Assert.ThrowsAsync<RpcException>(() => CaClient.CreateAsync(channel, TestPki.EcCsr()));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);

        api.Reachable = true;
        var response = await CaClient.CreateAsync(channel, TestPki.EcCsr());
        Assert.Equal(["spiffe://cluster.local/ns/shop/sa/web"], TestPki.Uris(TestPki.ParseChain(response.CertChain)[0]));
    }
}
