using ControlPlane.Ca.Distribution;
using ControlPlane.Ca.Tests.Server;
using ControlPlane.Testing;
using ControlPlane.Testing.Kubernetes;

namespace ControlPlane.Ca.Tests.Storage;

/// <summary>A plugged-in CA whose files change while the control plane runs (istiod's AUTO_RELOAD_PLUGIN_CERTS).</summary>
public sealed class PluggedInCaReloadTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly string _directory = Directory.CreateTempSubdirectory("ca-reload-").FullName;

    private string Cacerts => Path.Combine(_directory, "cacerts");

    [Fact]
    public async Task NewCacerts_AreServed_ForCertificatesTheSecurePortAndTheRootFile()
    {
        var first = TestPki.Hierarchy();
        var second = TestPki.Hierarchy();
        TestPki.WriteCacerts(Cacerts, first);
        var rootFile = Path.Combine(_directory, "out", "root-cert.pem");
        await using var server = await StartAsync("--root-cert-file", rootFile);

        TestPki.WriteCacerts(Cacerts, second);
        await WaitAsync(() => server.RootCertificatePem == second.RootCert, "the CA was not reloaded");

        // A client trusting only the new root: the secure port's certificate was reissued by the new CA.
        using var channel = server.CreateSecureChannel(token: "t1", rootPem: second.RootCert);
        var response = await CaClient.CreateAsync(channel, TestPki.EcCsr());
        Assert.Equal([second.CaCert, second.RootCert], response.CertChain.Skip(1));
        var chain = TestPki.ParseChain(response.CertChain);
        Assert.Equal(string.Empty, TestPki.VerifyChain(chain[0], [chain[1]], second.RootCert));
        await WaitAsync(() => File.ReadAllText(rootFile) == second.RootCert, "the root file was not rewritten");
    }

    [Fact]
    public async Task BrokenCacerts_KeepTheCaInService_UntilAGoodSetArrives()
    {
        var first = TestPki.Hierarchy();
        TestPki.WriteCacerts(Cacerts, first);
        await using var server = await StartAsync();

        // An intermediate that does not chain to the root beside it.
        TestPki.WriteCacerts(Cacerts, first with { RootCert = TestPki.Hierarchy().RootCert });
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.Equal(first.RootCert, server.RootCertificatePem);
        using (var channel = server.CreateSecureChannel(token: "t1", rootPem: first.RootCert))
        {
            var response = await CaClient.CreateAsync(channel, TestPki.EcCsr());
            Assert.Equal([first.CaCert, first.RootCert], response.CertChain.Skip(1));
        }

        var second = TestPki.Hierarchy();
        TestPki.WriteCacerts(Cacerts, second);
        await WaitAsync(() => server.RootCertificatePem == second.RootCert, "the CA was not reloaded after the broken set");
    }

    [Fact]
    public async Task NewRoot_ReachesEveryNamespacesConfigMap()
    {
        const string namespaces = "apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n---\napiVersion: v1\nkind: Namespace\nmetadata: { name: bank }\n";
        var first = TestPki.Hierarchy();
        var second = TestPki.Hierarchy();
        TestPki.WriteCacerts(Cacerts, first);
        await using var api = await KubeApiServerDouble.StartAsync("Kubernetes");
        api.Apply(namespaces);
        await using var server = await KubernetesMeshFixture.StartAsync(api, "--cacerts-dir", Cacerts);
        await KubernetesMeshFixture.DeliverAsync(server, namespaces);
        await WaitAsync(() => RootOf(api, "shop") == first.RootCert && RootOf(api, "bank") == first.RootCert, "the first root was not published");

        TestPki.WriteCacerts(Cacerts, second);

        await WaitAsync(() => RootOf(api, "shop") == second.RootCert && RootOf(api, "bank") == second.RootCert, "the new root was not published");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<TestControlPlane> StartAsync(params string[] args)
    {
        var tokens = Path.Combine(_directory, "tokens");
        await File.WriteAllTextAsync(tokens, "t1 shop/web\n");
        return await TestControlPlane.StartAsync(["--cacerts-dir", Cacerts, "--token-file", tokens, .. args]);
    }

    private static string? RootOf(KubeApiServerDouble api, string ns) =>
        api.Get(ApiResource.ConfigMaps, ns, RootCertConfigMapPublisher.ConfigMapName)?["data"]?[RootCertConfigMapPublisher.DataKey]?.GetValue<string>();

    private static async Task WaitAsync(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(20);
        }
    }
}
