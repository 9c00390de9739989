using ControlPlane.Ca.Storage;

namespace ControlPlane.Ca.Tests.Storage;

public sealed class SelfSignedDirectoryStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ca-store-").FullName;

    [Fact]
    public async Task LoadAsync_FirstStart_GeneratesARootThatLaterStartsReuse()
    {
        var path = Path.Combine(_directory, "ca");
        var store = new SelfSignedDirectoryStore(path, "cluster.local", TimeSpan.FromDays(3650), TimeProvider.System);

        using var first = await store.LoadAsync(CancellationToken.None);
        using var second = await store.LoadAsync(CancellationToken.None);

        Assert.Equal(first.SigningCertificate.RawData, second.SigningCertificate.RawData);
        Assert.Equal("O=cluster.local", first.SigningCertificate.Subject);
        Assert.InRange(first.SigningCertificate.NotAfter, DateTime.Now.AddDays(3649), DateTime.Now.AddDays(3651));
        Assert.Same(first.SigningCertificate, first.Roots.Single());
        Assert.Empty(first.Intermediates);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task LoadAsync_KeyFile_IsOwnerOnly()
    {
        var path = Path.Combine(_directory, "ca");
        using var _ = await new SelfSignedDirectoryStore(path, "cluster.local", TimeSpan.FromDays(10), TimeProvider.System).LoadAsync(CancellationToken.None);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(path, CaFiles.CaKey)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task LoadAsync_CertificateWithoutKey_IsRefused()
    {
        var path = Path.Combine(_directory, "ca");
        using (await new SelfSignedDirectoryStore(path, "cluster.local", TimeSpan.FromDays(10), TimeProvider.System).LoadAsync(CancellationToken.None))
        {
        }
        File.Delete(Path.Combine(path, CaFiles.CaKey));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new SelfSignedDirectoryStore(path, "cluster.local", TimeSpan.FromDays(10), TimeProvider.System).LoadAsync(CancellationToken.None));

        Assert.Contains("ca-key.pem is missing", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
