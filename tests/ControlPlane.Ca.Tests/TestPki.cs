using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ControlPlane.Ca.Authentication;
using ControlPlane.Ca.Signing;

namespace ControlPlane.Ca.Tests;

/// <summary>Keys, CSRs and CA hierarchies made with .NET's own crypto, as a client or an operator would.</summary>
internal static class TestPki
{
    public static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    /// <summary>A CSR as ztunnel sends it: fresh key, empty subject, one critical URI SAN.</summary>
    public static string Csr(AsymmetricAlgorithm key, params string[] uris)
    {
        var request = key switch
        {
            ECDsa ec => new CertificateRequest(new X500DistinguishedName(string.Empty), ec, ec.KeySize > 256 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256),
            RSA rsa => new CertificateRequest(new X500DistinguishedName(string.Empty), rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => throw new ArgumentException("unsupported key", nameof(key)),
        };
        if (uris.Length > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var uri in uris)
            {
                san.AddUri(new Uri(uri));
            }
            request.CertificateExtensions.Add(san.Build(critical: true));
        }
        return request.CreateSigningRequestPem();
    }

    public static string EcCsr(params string[] uris)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return Csr(key, uris);
    }

    /// <summary>A self-signed root as the CA would make it.</summary>
    public static CertificateAuthority SelfSignedAuthority(string trustDomain = "cluster.local", TimeSpan? ttl = null)
    {
        var (cert, key) = SelfSignedRoot.Generate(trustDomain, ttl ?? TimeSpan.FromDays(365), Now);
        return new CertificateAuthority(CaKeyMaterial.FromPem(cert, key, null, null, "test", Now));
    }

    /// <summary>An operator's hierarchy: an RSA or ECDSA root, and an intermediate CA signed by it (istio's cacerts).</summary>
    public static CaFilesPem Hierarchy(bool rsaRoot = false, TimeSpan? intermediateTtl = null)
    {
        using AsymmetricAlgorithm rootKey = rsaRoot ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = CaRequest("Test Root CA", rootKey);
        using var root = rootRequest.CreateSelfSigned(Now.AddDays(-1), Now.AddYears(10));
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var intermediateRequest = CaRequest("Test Intermediate CA", intermediateKey);
        var akid = X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, includeKeyIdentifier: true, includeIssuerAndSerial: false);
        intermediateRequest.CertificateExtensions.Add(akid);
        var rootSigner = rootKey is RSA rsa ? X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1) : X509SignatureGenerator.CreateForECDsa((ECDsa)rootKey);
        using var intermediate = intermediateRequest.Create(root.SubjectName, rootSigner, Now.AddDays(-1), Now + (intermediateTtl ?? TimeSpan.FromDays(365)), [1, 2, 3, 4, 5, 6, 7, 8]);
        var rootPem = root.ExportCertificatePem() + "\n";
        var intermediatePem = intermediate.ExportCertificatePem() + "\n";
        return new CaFilesPem(intermediatePem, intermediateKey.ExportPkcs8PrivateKeyPem() + "\n", intermediatePem + rootPem, rootPem);
    }

    public static void WriteCacerts(string directory, CaFilesPem files)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "ca-cert.pem"), files.CaCert);
        File.WriteAllText(Path.Combine(directory, "ca-key.pem"), files.CaKey);
        File.WriteAllText(Path.Combine(directory, "cert-chain.pem"), files.CertChain);
        File.WriteAllText(Path.Combine(directory, "root-cert.pem"), files.RootCert);
    }

    public static List<X509Certificate2> ParseChain(IEnumerable<string> pems) =>
        pems.Select(p => X509Certificate2.CreateFromPem(p)).ToList();

    /// <summary>Builds the chain of <paramref name="leaf"/> trusting only <paramref name="rootPem"/>; returns the failures, empty when it verifies.</summary>
    public static string VerifyChain(X509Certificate2 leaf, IEnumerable<X509Certificate2> intermediates, string rootPem, DateTimeOffset? at = null)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(rootPem);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.ExtraStore.AddRange(intermediates.ToArray());
        if (at is { } time)
        {
            chain.ChainPolicy.VerificationTime = time.UtcDateTime;
        }
        return chain.Build(leaf) ? string.Empty : string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation));
    }

    /// <summary>The URIs in a certificate's SAN.</summary>
    public static List<string> Uris(X509Certificate2 certificate) =>
        certificate.Extensions.Where(e => e.Oid?.Value == "2.5.29.17").SelectMany(ClientCertificateAuthenticator.SubjectUris).ToList();

    private static CertificateRequest CaRequest(string name, AsymmetricAlgorithm key)
    {
        var request = key switch
        {
            ECDsa ec => new CertificateRequest($"CN={name}, O=cluster.local", ec, HashAlgorithmName.SHA256),
            RSA rsa => new CertificateRequest($"CN={name}, O=cluster.local", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => throw new ArgumentException("unsupported key", nameof(key)),
        };
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }
}

/// <summary>The four files of istio's cacerts.</summary>
internal sealed record CaFilesPem(string CaCert, string CaKey, string CertChain, string RootCert);
