using ControlPlane.Ca.Storage;

namespace ControlPlane.Ca.Tests.Storage;

public sealed class PluggedInCaStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cacerts-").FullName;

    [Fact]
    public async Task LoadAsync_IstioCacerts_SignsWithTheIntermediate()
    {
        var files = TestPki.Hierarchy(rsaRoot: true);
        TestPki.WriteCacerts(_directory, files);

        Assert.True(PluggedInCaStore.IsPresent(_directory));
        using var material = await new PluggedInCaStore(_directory, TimeProvider.System).LoadAsync(CancellationToken.None);

        Assert.Equal("CN=Test Intermediate CA, O=cluster.local", material.SigningCertificate.Subject);
        Assert.Equal("CN=Test Root CA, O=cluster.local", material.Roots.Single().Subject);
    }

    [Fact]
    public void IsPresent_DirectoryWithoutKey_IsFalse()
    {
        File.WriteAllText(Path.Combine(_directory, CaFiles.CaCert), TestPki.Hierarchy().CaCert);

        Assert.False(PluggedInCaStore.IsPresent(_directory));
        Assert.False(PluggedInCaStore.IsPresent(Path.Combine(_directory, "absent")));
    }

    [Fact]
    public async Task LoadAsync_MissingRoot_IsRefused()
    {
        TestPki.WriteCacerts(_directory, TestPki.Hierarchy());
        File.Delete(Path.Combine(_directory, CaFiles.RootCert));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new PluggedInCaStore(_directory, TimeProvider.System).LoadAsync(CancellationToken.None));

        Assert.Contains("root-cert.pem is missing", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
