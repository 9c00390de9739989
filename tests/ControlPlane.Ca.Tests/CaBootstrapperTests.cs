using System.Security.Cryptography.X509Certificates;
using System.Text;
using ControlPlane.Ca.Tests.Server;
using ControlPlane.Testing;
using ControlPlane.Testing.Kubernetes;
using Microsoft.Extensions.Options;

namespace ControlPlane.Ca.Tests;

public sealed class CaBootstrapperTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ca-bootstrap-").FullName;

    [Fact]
    public async Task StartAsync_CacertsDirectory_SignsWithThePluggedInIntermediate()
    {
        var files = TestPki.Hierarchy(rsaRoot: true);
        var cacerts = Path.Combine(_directory, "cacerts");
        TestPki.WriteCacerts(cacerts, files);
        var tokens = Path.Combine(_directory, "tokens");
        await File.WriteAllTextAsync(tokens, "t1 shop/web\n");
        await using var server = await TestControlPlane.StartAsync("--cacerts-dir", cacerts, "--token-file", tokens);
        using var channel = server.CreateSecureChannel(token: "t1", rootPem: files.RootCert);

        var response = await CaClient.CreateAsync(channel, TestPki.EcCsr());

        Assert.Equal([files.CaCert, files.RootCert], response.CertChain.Skip(1));
        Assert.Equal(files.RootCert, server.RootCertificatePem);
        var chain = TestPki.ParseChain(response.CertChain);
        Assert.Equal(string.Empty, TestPki.VerifyChain(chain[0], [chain[1]], files.RootCert));
    }

    [Fact]
    public async Task StartAsync_SameCaDirectory_KeepsTheRootAcrossRestarts()
    {
        var ca = Path.Combine(_directory, "ca");
        string first;
        await using (var server = await TestControlPlane.StartAsync("--ca-dir", ca))
        {
            first = server.RootCertificatePem;
        }

        await using var restarted = await TestControlPlane.StartAsync("--ca-dir", ca);

        Assert.Equal(first, restarted.RootCertificatePem);
    }

    [Fact]
    public async Task StartAsync_Kubernetes_KeepsTheRootInIstioCaSecretAcrossRestarts()
    {
        await using var api = await KubeApiServerDouble.StartAsync("Kubernetes");
        string first;
        await using (var server = await KubernetesMeshFixture.StartAsync(api))
        {
            first = server.RootCertificatePem;
        }

        await using var restarted = await KubernetesMeshFixture.StartAsync(api);

        Assert.Equal(first, restarted.RootCertificatePem);
        var secret = api.Get(ApiResource.Secrets, "istio-system", "istio-ca-secret")!;
        var stored = Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]!["ca-cert.pem"]!.GetValue<string>()));
        Assert.Equal(X509Certificate2.CreateFromPem(first).RawData, X509Certificate2.CreateFromPem(stored).RawData);
        Assert.False(Directory.Exists(Path.Combine(restarted.StateDirectory, "ca")));
    }

    [Fact]
    public async Task StartAsync_Ready_WaitsForTheCa()
    {
        await using var server = await TestControlPlane.StartAsync();

        await SecureMeshFixture.WaitReadyAsync(server);

        Assert.NotNull(server.RootCertificatePem);
    }

    [Fact]
    public async Task StartAsync_BrokenCacerts_FailsWithTheReason()
    {
        var cacerts = Path.Combine(_directory, "cacerts");
        var files = TestPki.Hierarchy();
        TestPki.WriteCacerts(cacerts, files with { RootCert = TestPki.Hierarchy().RootCert });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestControlPlane.StartAsync("--cacerts-dir", cacerts));

        Assert.Contains("does not chain to root-cert.pem", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_BadTokenFile_FailsWithTheLine()
    {
        var tokens = Path.Combine(_directory, "tokens");
        await File.WriteAllTextAsync(tokens, "t1 shop/web\nt2\n");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestControlPlane.StartAsync("--token-file", tokens));

        Assert.Contains("tokens:2:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--default-cert-ttl", "100.00:00:00")]
    [InlineData("--trusted-node-accounts", "ztunnel")]
    [InlineData("--serving-cert-sans", "not a name")]
    public async Task StartAsync_InvalidOption_IsRefused(string flag, string value)
    {
        await Assert.ThrowsAsync<OptionsValidationException>(() => TestControlPlane.StartAsync(flag, value));
    }

    [Fact]
    public async Task StartAsync_SecurePortZero_ServesNoCa()
    {
        await using var server = await TestControlPlane.StartAsync("--secure-port", "0");

        Assert.Equal(0, server.SecurePort);
        Assert.Throws<InvalidOperationException>(() => server.RootCertificatePem);
        await SecureMeshFixture.WaitReadyAsync(server);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
