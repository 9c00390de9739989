using ControlPlane.Ca.Signing;

namespace ControlPlane.Ca.Storage;

/// <summary>
/// A CA plugged in from a directory (istiod's <c>cacerts</c> Secret mounted at <c>/etc/cacerts</c>):
/// <c>ca-cert.pem</c> and <c>ca-key.pem</c> sign, <c>cert-chain.pem</c> leads up to the root,
/// <c>root-cert.pem</c> is the trust bundle.
/// </summary>
public sealed class PluggedInCaStore(string directory, TimeProvider time) : IRootStore
{
    /// <summary>istiod's rule: a plugged-in CA is used when its key file exists.</summary>
    public static bool IsPresent(string directory) =>
        directory.Length > 0 && File.Exists(Path.Combine(directory, CaFiles.CaKey));

    public async Task<CaKeyMaterial> LoadAsync(CancellationToken cancellationToken)
    {
        var source = $"plugged-in CA {Path.GetFullPath(directory)}";
        var certificate = await ReadAsync(CaFiles.CaCert, required: true, source, cancellationToken).ConfigureAwait(false);
        var key = await ReadAsync(CaFiles.CaKey, required: true, source, cancellationToken).ConfigureAwait(false);
        var chain = await ReadAsync(CaFiles.CertChain, required: false, source, cancellationToken).ConfigureAwait(false);
        var root = await ReadAsync(CaFiles.RootCert, required: true, source, cancellationToken).ConfigureAwait(false);
        return CaKeyMaterial.FromPem(certificate, key, chain, root, source, time.GetUtcNow());
    }

    private async Task<string> ReadAsync(string file, bool required, string source, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, file);
        if (!File.Exists(path))
        {
            return required ? throw new InvalidOperationException($"{source}: {file} is missing") : string.Empty;
        }
        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{source}: cannot read {file}: {ex.Message}", ex);
        }
    }
}
