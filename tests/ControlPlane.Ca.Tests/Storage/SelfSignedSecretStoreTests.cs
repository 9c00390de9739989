using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ControlPlane.Ca.Storage;
using ControlPlane.Testing.Kubernetes;
using k8s;
using k8s.Models;

namespace ControlPlane.Ca.Tests.Storage;

public sealed class SelfSignedSecretStoreTests : IAsyncLifetime
{
    private KubeApiServerDouble _api = null!;
    private IKubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiServerDouble.StartAsync();
        _client = _api.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task LoadAsync_NoSecret_CreatesIstioCaSecretAsIstiodDoesAndLaterLoadsReuseIt()
    {
        using var first = await Store().LoadAsync(CancellationToken.None);
        using var second = await Store().LoadAsync(CancellationToken.None);

        Assert.Equal(first.SigningCertificate.RawData, second.SigningCertificate.RawData);
        var secret = await _client.CoreV1.ReadNamespacedSecretAsync("istio-ca-secret", "istio-system");
        Assert.Equal("istio.io/ca-root", secret.Type);
        Assert.Equal(["ca-cert.pem", "ca-key.pem", "cert-chain.pem", "key.pem", "root-cert.pem"], secret.Data.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(first.SigningCertificate.RawData, X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(secret.Data["ca-cert.pem"])).RawData);
    }

    [Fact]
    public async Task LoadAsync_SecretWrittenByIstiod_IsUsed()
    {
        // istiod's own self-signed root: RSA, organization = trust domain.
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("O=cluster.local", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var root = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10));
        await _client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "istio-ca-secret", NamespaceProperty = "istio-system" },
            Type = "istio.io/ca-root",
            Data = new Dictionary<string, byte[]>
            {
                ["ca-cert.pem"] = Encoding.UTF8.GetBytes(root.ExportCertificatePem()),
                ["ca-key.pem"] = Encoding.UTF8.GetBytes(key.ExportRSAPrivateKeyPem()),
                ["cert-chain.pem"] = [],
                ["key.pem"] = [],
                ["root-cert.pem"] = [],
            },
        }, "istio-system");

        using var material = await Store().LoadAsync(CancellationToken.None);

        Assert.Equal(root.RawData, material.SigningCertificate.RawData);
        Assert.IsAssignableFrom<RSA>(material.SigningKey);
    }

    [Fact]
    public async Task LoadAsync_ReplicasStartingTogether_AllUseOneRoot()
    {
        var loads = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Store().LoadAsync(CancellationToken.None)));

        Assert.Single(loads.Select(m => Convert.ToHexString(m.SigningCertificate.RawData)).Distinct());
        foreach (var material in loads)
        {
            material.Dispose();
        }
    }

    [Fact]
    public async Task LoadAsync_SecretWithoutKey_IsRefused()
    {
        await _client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "istio-ca-secret", NamespaceProperty = "istio-system" },
            Data = new Dictionary<string, byte[]> { ["ca-cert.pem"] = Encoding.UTF8.GetBytes("x") },
        }, "istio-system");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Store().LoadAsync(CancellationToken.None));

        Assert.Contains("lacks ca-cert.pem or ca-key.pem", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_SecretsForbidden_FailsWithTheStatus()
    {
        _api.Forbid(ApiResource.Secrets);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Store().LoadAsync(CancellationToken.None));

        Assert.Contains("HTTP 403", error.Message, StringComparison.Ordinal);
    }

    private SelfSignedSecretStore Store() => new(_client, "istio-system", "cluster.local", TimeSpan.FromDays(3650), TimeProvider.System);
}
