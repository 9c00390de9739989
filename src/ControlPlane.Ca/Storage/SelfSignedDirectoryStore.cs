using ControlPlane.Ca.Signing;

namespace ControlPlane.Ca.Storage;

/// <summary>
/// A self-signed root kept in a directory (<c>ca-cert.pem</c>, <c>ca-key.pem</c>), generated on first
/// start. The directory is created owner-only and the key file is written owner-readable only.
/// </summary>
public sealed class SelfSignedDirectoryStore(string directory, string trustDomain, TimeSpan rootTtl, TimeProvider time) : IRootStore
{
    public async Task<CaKeyMaterial> LoadAsync(CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(directory);
        var source = $"self-signed root in {full}";
        var certPath = Path.Combine(full, CaFiles.CaCert);
        var keyPath = Path.Combine(full, CaFiles.CaKey);
        var hasCert = File.Exists(certPath);
        var hasKey = File.Exists(keyPath);
        if (hasCert != hasKey)
        {
            throw new InvalidOperationException($"{source}: {(hasCert ? CaFiles.CaKey : CaFiles.CaCert)} is missing; restore it, or remove the directory to generate a new root");
        }
        if (!hasCert)
        {
            try
            {
                Create(full, certPath, keyPath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"{source}: cannot create the root: {ex.Message}", ex);
            }
        }
        string certificate;
        string key;
        try
        {
            certificate = await File.ReadAllTextAsync(certPath, cancellationToken).ConfigureAwait(false);
            key = await File.ReadAllTextAsync(keyPath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{source}: cannot read the root: {ex.Message}", ex);
        }
        return CaKeyMaterial.FromPem(certificate, key, certChainPem: null, rootCertPem: null, source, time.GetUtcNow());
    }

    private void Create(string full, string certPath, string keyPath)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(full);
        }
        else
        {
            Directory.CreateDirectory(full, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var (certificate, key) = SelfSignedRoot.Generate(trustDomain, rootTtl, time.GetUtcNow());
        // Written aside and moved in, so a crash never leaves half a file; never over an existing root.
        var keyTemp = keyPath + ".tmp";
        File.Delete(keyTemp);
        WriteOwnerOnly(keyTemp, key);
        var certTemp = certPath + ".tmp";
        File.WriteAllText(certTemp, certificate);
        File.Move(keyTemp, keyPath, overwrite: false);
        File.Move(certTemp, certPath, overwrite: false);
    }

    private static void WriteOwnerOnly(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }
}
