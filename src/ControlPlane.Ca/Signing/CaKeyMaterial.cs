using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ControlPlane.Ca.Signing;

/// <summary>
/// The CA's signing certificate and key, the intermediates up to the root, and the trusted roots, read
/// from PEM (istiod's file names: <c>ca-cert.pem</c>, <c>ca-key.pem</c>, <c>cert-chain.pem</c>,
/// <c>root-cert.pem</c>) and checked: the key matches, the certificate may sign, it is valid now, and
/// it chains to a root. Disposing it disposes the key.
/// </summary>
public sealed class CaKeyMaterial : IDisposable
{
    private CaKeyMaterial(X509Certificate2 signingCertificate, AsymmetricAlgorithm signingKey, IReadOnlyList<X509Certificate2> intermediates, IReadOnlyList<X509Certificate2> roots, string source)
    {
        SigningCertificate = signingCertificate;
        SigningKey = signingKey;
        Intermediates = intermediates;
        Roots = roots;
        Source = source;
    }

    /// <summary>The certificate whose key signs (the root itself for a self-signed CA).</summary>
    public X509Certificate2 SigningCertificate { get; }

    /// <summary>The private key of <see cref="SigningCertificate"/>: an <see cref="ECDsa"/> or an <see cref="RSA"/>.</summary>
    public AsymmetricAlgorithm SigningKey { get; }

    /// <summary>Certificates between a leaf and the roots, signing certificate first; empty when the signer is a root.</summary>
    public IReadOnlyList<X509Certificate2> Intermediates { get; }

    /// <summary>The trust bundle: roots that verify our certificates (more than one while roots rotate).</summary>
    public IReadOnlyList<X509Certificate2> Roots { get; }

    /// <summary>Where the material came from, for logs (never its content).</summary>
    public string Source { get; }

    /// <summary>
    /// Reads and checks CA material. <paramref name="certChainPem"/> and <paramref name="rootCertPem"/> may
    /// be empty: the chain is then the signing certificate alone, and the root the signing certificate
    /// when it is self-signed. Throws <see cref="InvalidOperationException"/> with the reason otherwise.
    /// </summary>
    public static CaKeyMaterial FromPem(string caCertPem, string caKeyPem, string? certChainPem, string? rootCertPem, string source, DateTimeOffset now)
    {
        var signing = ReadCertificates(caCertPem, source, "ca-cert.pem").FirstOrDefault()
            ?? throw new InvalidOperationException($"{source}: ca-cert.pem holds no certificate");
        var key = ReadKey(signing, caKeyPem, source);
        try
        {
            var roots = string.IsNullOrWhiteSpace(rootCertPem) ? [] : ReadCertificates(rootCertPem, source, "root-cert.pem");
            if (roots.Count == 0)
            {
                if (!IsSelfSigned(signing))
                {
                    throw new InvalidOperationException($"{source}: root-cert.pem is missing and ca-cert.pem is not a self-signed root");
                }
                roots = [signing];
            }
            var chain = string.IsNullOrWhiteSpace(certChainPem) ? [signing] : ReadCertificates(certChainPem, source, "cert-chain.pem");
            if (chain.Count == 0 || !chain[0].RawDataMemory.Span.SequenceEqual(signing.RawDataMemory.Span))
            {
                // Tolerate a chain file that starts above the signing certificate.
                chain = [signing, .. chain];
            }
            var intermediates = chain.Where(c => !roots.Any(r => r.RawDataMemory.Span.SequenceEqual(c.RawDataMemory.Span))).ToList();
            CheckSigner(signing, source, now);
            CheckChain(signing, intermediates, roots, source, now);
            return new CaKeyMaterial(signing, key, intermediates, roots, source);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    public void Dispose() => SigningKey.Dispose();

    private static List<X509Certificate2> ReadCertificates(string pem, string source, string file)
    {
        var result = new List<X509Certificate2>();
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label];
            if (label.SequenceEqual("CERTIFICATE"))
            {
                try
                {
                    result.Add(X509CertificateLoader.LoadCertificate(Convert.FromBase64String(rest[fields.Base64Data].ToString())));
                }
                catch (Exception ex) when (ex is CryptographicException or FormatException)
                {
                    throw new InvalidOperationException($"{source}: {file} holds an unreadable certificate: {ex.Message}", ex);
                }
            }
            rest = rest[fields.Location.End.Value..];
        }
        return result;
    }

    private static AsymmetricAlgorithm ReadKey(X509Certificate2 certificate, string keyPem, string source)
    {
        AsymmetricAlgorithm key;
        try
        {
            if (certificate.GetECDsaPublicKey() is { } ecPublic)
            {
                ecPublic.Dispose();
                var ec = ECDsa.Create();
                ec.ImportFromPem(keyPem);
                key = ec;
            }
            else if (certificate.GetRSAPublicKey() is { } rsaPublic)
            {
                rsaPublic.Dispose();
                var rsa = RSA.Create();
                rsa.ImportFromPem(keyPem);
                key = rsa;
            }
            else
            {
                throw new InvalidOperationException($"{source}: ca-cert.pem has a {certificate.PublicKey.Oid.FriendlyName} key; only ECDSA and RSA CAs are supported");
            }
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            // The exception text never contains key material.
            throw new InvalidOperationException($"{source}: ca-key.pem cannot be read as the key of ca-cert.pem: {ex.Message}", ex);
        }
        if (!key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(certificate.PublicKey.ExportSubjectPublicKeyInfo()))
        {
            key.Dispose();
            throw new InvalidOperationException($"{source}: ca-key.pem is not the key of ca-cert.pem");
        }
        return key;
    }

    private static void CheckSigner(X509Certificate2 signing, string source, DateTimeOffset now)
    {
        var constraints = signing.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (constraints is not { CertificateAuthority: true })
        {
            throw new InvalidOperationException($"{source}: ca-cert.pem ({signing.Subject}) is not a CA certificate (basic constraints CA:true)");
        }
        var usage = signing.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (usage is not null && !usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign))
        {
            throw new InvalidOperationException($"{source}: ca-cert.pem ({signing.Subject}) may not sign certificates (key usage lacks keyCertSign)");
        }
        if (now < signing.NotBefore.ToUniversalTime() || now >= signing.NotAfter.ToUniversalTime())
        {
            throw new InvalidOperationException($"{source}: ca-cert.pem ({signing.Subject}) is valid from {signing.NotBefore:O} to {signing.NotAfter:O}, not now");
        }
    }

    private static void CheckChain(X509Certificate2 signing, List<X509Certificate2> intermediates, List<X509Certificate2> roots, string source, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(intermediates.ToArray());
        if (!chain.Build(signing))
        {
            var reasons = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Distinct());
            throw new InvalidOperationException($"{source}: ca-cert.pem ({signing.Subject}) does not chain to root-cert.pem: {reasons}");
        }
    }

    private static bool IsSelfSigned(X509Certificate2 certificate) =>
        certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);
}
