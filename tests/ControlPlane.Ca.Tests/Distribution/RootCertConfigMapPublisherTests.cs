using ControlPlane.Ca.Distribution;
using ControlPlane.Testing;
using ControlPlane.Testing.Kubernetes;

namespace ControlPlane.Ca.Tests.Distribution;

public sealed class RootCertConfigMapPublisherTests : IAsyncLifetime
{
    private const string Namespaces = """
        apiVersion: v1
        kind: Namespace
        metadata: { name: istio-system }
        ---
        apiVersion: v1
        kind: Namespace
        metadata: { name: shop }
        ---
        apiVersion: v1
        kind: Namespace
        metadata: { name: kube-public }
        """;

    private KubeApiServerDouble _api = null!;
    private TestControlPlane _server = null!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiServerDouble.StartAsync("Kubernetes");
        _api.Apply(Namespaces);
        _server = await KubernetesMeshFixture.StartAsync(_api);
        await KubernetesMeshFixture.DeliverAsync(_server, Namespaces);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Namespaces_EachGetsTheRootConfigMap_ExceptKubernetesOwn()
    {
        await WaitForRootAsync("istio-system");
        await WaitForRootAsync("shop");

        var map = _api.Get(ApiResource.ConfigMaps, "shop", RootCertConfigMapPublisher.ConfigMapName)!;
        Assert.Equal("true", map["metadata"]!["labels"]!["istio.io/config"]!.GetValue<string>());
        Assert.Null(_api.Get(ApiResource.ConfigMaps, "kube-public", RootCertConfigMapPublisher.ConfigMapName));
    }

    [Fact]
    public async Task NewNamespace_GetsTheRootConfigMap()
    {
        const string added = "apiVersion: v1\nkind: Namespace\nmetadata: { name: added-later }\n";
        _api.Apply(added);

        await KubernetesMeshFixture.DeliverAsync(_server, added);

        await WaitForRootAsync("added-later");
    }

    [Fact]
    public async Task DeletedConfigMap_IsPutBack()
    {
        await WaitForRootAsync("shop");

        _api.Delete(ApiResource.ConfigMaps, "shop", RootCertConfigMapPublisher.ConfigMapName);

        await WaitForRootAsync("shop");
    }

    [Fact]
    public async Task EditedConfigMap_IsCorrected()
    {
        await WaitForRootAsync("shop");

        _api.Apply("""
            apiVersion: v1
            kind: ConfigMap
            metadata: { name: istio-ca-root-cert, namespace: shop, labels: { istio.io/config: "true" } }
            data: { root-cert.pem: "not the root" }
            """);

        await WaitForRootAsync("shop");
    }

    private async Task WaitForRootAsync(string ns)
    {
        var root = _server.RootCertificatePem;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (_api.Get(ApiResource.ConfigMaps, ns, RootCertConfigMapPublisher.ConfigMapName)?["data"]?[RootCertConfigMapPublisher.DataKey]?.GetValue<string>() != root)
        {
            Assert.True(DateTime.UtcNow < deadline, $"istio-ca-root-cert in {ns} does not hold the root");
            await Task.Delay(20);
        }
    }
}
