using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ControlPlane.Ca.Identity;

namespace ControlPlane.Ca.Signing;

/// <summary>
/// Signs certificates with the mesh CA's key. Workload certificates carry exactly one SAN, the SPIFFE id
/// they are issued to, and the profile istiod gives them (digital signature + key encipherment, server
/// and client auth, not a CA). Answers are one PEM certificate per element: leaf, intermediates, roots.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    /// <summary>Certificates start a little in the past so that a peer whose clock lags accepts them.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromMinutes(1);

    private const string SubjectAltNameOid = "2.5.29.17";
    private static readonly X500DistinguishedName EmptySubject = new(string.Empty);
    private static readonly OidCollection WorkloadUsages = [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")];
    private static readonly OidCollection ServerUsages = [new Oid("1.3.6.1.5.5.7.3.1")];

    private readonly CaKeyMaterial _material;
    private readonly X509SignatureGenerator _generator;
    private readonly HashAlgorithmName _hash;
    private readonly X509AuthorityKeyIdentifierExtension _authorityKeyId;
    private readonly string[] _chainPems;
    private readonly Lock _signing = new();

    public CertificateAuthority(CaKeyMaterial material)
    {
        _material = material;
        switch (material.SigningKey)
        {
            case ECDsa ec:
                _hash = ec.KeySize switch { <= 256 => HashAlgorithmName.SHA256, <= 384 => HashAlgorithmName.SHA384, _ => HashAlgorithmName.SHA512 };
                _generator = X509SignatureGenerator.CreateForECDsa(ec);
                break;
            case RSA rsa:
                _hash = HashAlgorithmName.SHA256;
                _generator = X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1);
                break;
            default:
                throw new InvalidOperationException($"{material.Source}: unsupported CA key type {material.SigningKey.GetType().Name}");
        }
        var signerKeyId = material.SigningCertificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()
            ?? new X509SubjectKeyIdentifierExtension(material.SigningCertificate.PublicKey, X509SubjectKeyIdentifierHashAlgorithm.Sha1, false);
        _authorityKeyId = X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(signerKeyId);
        _chainPems = [.. material.Intermediates.Select(Pem), .. material.Roots.Select(Pem)];
        RootBundlePem = string.Concat(material.Roots.Select(Pem));
        TrustedRoots = [.. material.Roots];
    }

    /// <summary>The roots as one PEM bundle: what proxies trust (<c>root-cert.pem</c>).</summary>
    public string RootBundlePem { get; }

    public X509Certificate2Collection TrustedRoots { get; }

    public IReadOnlyList<X509Certificate2> Intermediates => _material.Intermediates;

    /// <summary>When the signing certificate expires: no certificate we issue outlives it.</summary>
    public DateTimeOffset NotAfter => _material.SigningCertificate.NotAfter.ToUniversalTime();

    public string Source => _material.Source;

    /// <summary>
    /// Issues a workload certificate for <paramref name="identity"/> to <paramref name="publicKey"/>,
    /// valid for <paramref name="ttl"/> (cut to the CA's own expiry). Returns leaf, intermediates, roots.
    /// </summary>
    public IReadOnlyList<string> SignWorkload(PublicKey publicKey, SpiffeId identity, TimeSpan ttl, DateTimeOffset now)
    {
        var request = new CertificateRequest(EmptySubject, publicKey, _hash);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(WorkloadUsages, false));
        request.CertificateExtensions.Add(UriSan(identity.Uri));
        request.CertificateExtensions.Add(_authorityKeyId);
        using var leaf = Sign(request, ttl, now);
        var result = new string[_chainPems.Length + 1];
        result[0] = Pem(leaf);
        _chainPems.CopyTo(result, 1);
        return result;
    }

    /// <summary>Issues a TLS server certificate for <paramref name="dnsNames"/> to a fresh ECDSA P-256 key that never leaves the process.</summary>
    public ServingCredential IssueServingCertificate(IReadOnlyList<string> dnsNames, TimeSpan ttl, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(EmptySubject, key, _hash);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            names.AddDnsName(name);
        }
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(ServerUsages, false));
        request.CertificateExtensions.Add(names.Build(critical: true));
        request.CertificateExtensions.Add(_authorityKeyId);
        using var certificate = Sign(request, ttl, now);
        return new ServingCredential(certificate.CopyWithPrivateKey(key), [.. _material.Intermediates]);
    }

    public void Dispose() => _material.Dispose();

    private X509Certificate2 Sign(CertificateRequest request, TimeSpan ttl, DateTimeOffset now)
    {
        var notAfter = now + ttl;
        if (notAfter > NotAfter)
        {
            notAfter = NotAfter;
        }
        var notBefore = now - Backdate;
        if (notAfter <= now)
        {
            throw new InvalidOperationException($"the CA certificate expired at {NotAfter:O}");
        }
        Span<byte> serial = stackalloc byte[16];
        RandomNumberGenerator.Fill(serial);
        // Positive, and always 16 bytes long.
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        // The key objects are not documented as thread-safe; signing is microseconds, so serialize it.
        lock (_signing)
        {
            return request.Create(_material.SigningCertificate.SubjectName, _generator, notBefore, notAfter, serial);
        }
    }

    /// <summary>A critical SAN holding one URI, written as given (System.Uri would normalize it).</summary>
    private static X509Extension UriSan(string uri)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteCharacterString(UniversalTagNumber.IA5String, uri, new Asn1Tag(TagClass.ContextSpecific, 6));
        }
        return new X509Extension(SubjectAltNameOid, writer.Encode(), critical: true);
    }

    private static string Pem(X509Certificate2 certificate) => PemEncoding.WriteString("CERTIFICATE", certificate.RawData) + "\n";
}
