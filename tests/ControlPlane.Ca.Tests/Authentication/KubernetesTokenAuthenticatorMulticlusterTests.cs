using ControlPlane.Ca.Tests.Server;
using ControlPlane.Kubernetes.Clusters;
using ControlPlane.Testing;
using ControlPlane.Testing.Kubernetes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace ControlPlane.Ca.Tests.Authentication;

/// <summary>
/// Tokens of a remote cluster registered by its Secret are reviewed by that cluster's API server, the one
/// the caller names in its <c>clusterid</c> header (the Kubernetes source's cluster clients, end to end).
/// </summary>
public sealed class KubernetesTokenAuthenticatorMulticlusterTests : IAsyncLifetime
{
    private const string EastWeb = "east-web-token";
    private const string WebId = "spiffe://cluster.local/ns/shop/sa/web";

    private readonly string _directory = Directory.CreateTempSubdirectory("multicluster-ca-").FullName;
    private KubeApiServerDouble _local = null!;
    private KubeApiServerDouble _east = null!;
    private TestControlPlane _server = null!;

    public async Task InitializeAsync()
    {
        _local = await KubeApiServerDouble.StartAsync("local");
        _local.Apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: istio-system}\n");
        _east = await KubeApiServerDouble.StartAsync("east");
        _east.Apply("""
            apiVersion: v1
            kind: Pod
            metadata: {name: web-e1, namespace: shop, uid: 0e000000-0000-4000-8000-000000000001}
            spec: {nodeName: east-node, serviceAccountName: web}
            status: {phase: Running, podIP: 10.8.0.1}
            """);
        _east.AddToken(EastWeb, TokenIdentity.ServiceAccount("shop", "web", "web-e1", "0e000000-0000-4000-8000-000000000001", "istio-ca"));
        _server = await TestControlPlane.StartAsync(
            "--kubeconfig", _local.WriteKubeconfig(_directory),
            "--Kubernetes:InitialBackoffMilliseconds=10",
            "--Kubernetes:NotInstalledRetrySeconds=1");
        await SecureMeshFixture.WaitReadyAsync(_server);
        _local.Apply(RemoteClusterSecret.Yaml("istio-remote-secret-east", "istio-system", ("east", _east.Kubeconfig())));
        var clusters = _server.App.Services.GetRequiredService<IClusterClients>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (clusters.ForCluster("east") is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the remote cluster was not registered");
            await Task.Delay(20);
        }
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _east.DisposeAsync();
        await _local.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task CreateCertificate_TokenOfTheRemoteClusterItNames_IsReviewedThereAndIssued()
    {
        using var channel = _server.CreateSecureChannel(token: EastWeb, clusterId: "east");

        var response = await CaClient.CreateAsync(channel, TestPki.EcCsr());

        Assert.Equal([WebId], TestPki.Uris(TestPki.ParseChain(response.CertChain)[0]));
        Assert.Contains(_east.Requests, r => r.Verb == "tokenreview");
        Assert.DoesNotContain(_local.Requests, r => r.Verb == "tokenreview");
    }

    [Fact]
    public async Task CreateCertificate_RemoteTokenNamingTheLocalCluster_IsUnauthenticated()
    {
        using var channel = _server.CreateSecureChannel(token: EastWeb, clusterId: "Kubernetes");

        var error = await Assert.ThrowsAsync<RpcException>(() => CaClient.CreateAsync(channel, TestPki.EcCsr()));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task CreateCertificate_RemoteClusterWhoseSecretIsGone_IsUnauthenticated()
    {
        _local.Delete(ApiResource.Secrets, "istio-system", "istio-remote-secret-east");
        var clusters = _server.App.Services.GetRequiredService<IClusterClients>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (clusters.ForCluster("east") is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the remote cluster was not removed");
            await Task.Delay(20);
        }
        using var channel = _server.CreateSecureChannel(token: EastWeb, clusterId: "east");

        var error = await Assert.ThrowsAsync<RpcException>(() => CaClient.CreateAsync(channel, TestPki.EcCsr()));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }
}
