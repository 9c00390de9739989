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
    private const int SerialLength = 16;
    private static readonly X500DistinguishedName EmptySubject = new(string.Empty);
    private static readonly OidCollection WorkloadUsages = [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")];
    private static readonly OidCollection ServerUsages = [new Oid("1.3.6.1.5.5.7.3.1")];

    private readonly CaKeyMaterial _material;
    private readonly X509SignatureGenerator _generator;
    private readonly HashAlgorithmName _hash;
    private readonly X509AuthorityKeyIdentifierExtension _authorityKeyId;
    private readonly string[] _chainPems;
    private readonly byte[] _signatureAlgorithm;
    private readonly byte[] _issuerName;
    private readonly X509Extension[] _workloadExtensions;
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
        _signatureAlgorithm = _generator.GetSignatureAlgorithmIdentifier(_hash);
        _issuerName = material.SigningCertificate.SubjectName.RawData;
        // istiod's workload profile; the SAN, which varies, goes last.
        _workloadExtensions =
        [
            new X509BasicConstraintsExtension(false, false, 0, true),
            new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true),
            new X509EnhancedKeyUsageExtension(WorkloadUsages, false),
            _authorityKeyId,
        ];
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

    /// <summary>Whether <paramref name="other"/> signs with the same certificate and answers with the same chain.</summary>
    public bool IsSameAs(CertificateAuthority other) =>
        _material.SigningCertificate.RawDataMemory.Span.SequenceEqual(other._material.SigningCertificate.RawDataMemory.Span) &&
        _chainPems.AsSpan().SequenceEqual(other._chainPems);

    /// <summary>
    /// Issues a workload certificate for <paramref name="identity"/> to <paramref name="publicKey"/>,
    /// valid for <paramref name="ttl"/> (cut to the CA's own expiry). Returns leaf, intermediates, roots.
    /// </summary>
    public IReadOnlyList<string> SignWorkload(PublicKey publicKey, SpiffeId identity, TimeSpan ttl, DateTimeOffset now)
    {
        var (notBefore, notAfter) = Validity(ttl, now);
        var leaf = WriteWorkloadCertificate(publicKey.ExportSubjectPublicKeyInfo(), UriSan(identity.Uri), notBefore, notAfter);
        var result = new string[_chainPems.Length + 1];
        result[0] = PemEncoding.WriteString("CERTIFICATE", leaf) + "\n";
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
        var (notBefore, notAfter) = Validity(ttl, now);
        Span<byte> serial = stackalloc byte[SerialLength];
        NewSerial(serial);
        lock (_signing)
        {
            return request.Create(_material.SigningCertificate.SubjectName, _generator, notBefore, notAfter, serial);
        }
    }

    /// <summary>
    /// Writes and signs a workload certificate (RFC 5280 DER) directly: the profile is fixed, and this
    /// avoids loading every issued certificate into a platform object only to read its bytes back,
    /// which costs several times the signature itself.
    /// </summary>
    private byte[] WriteWorkloadCertificate(byte[] subjectPublicKeyInfo, X509Extension san, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        Span<byte> serial = stackalloc byte[SerialLength];
        NewSerial(serial);
        var tbs = new AsnWriter(AsnEncodingRules.DER);
        using (tbs.PushSequence())
        {
            using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            {
                tbs.WriteInteger(2); // v3
            }
            tbs.WriteInteger(serial);
            tbs.WriteEncodedValue(_signatureAlgorithm);
            tbs.WriteEncodedValue(_issuerName);
            using (tbs.PushSequence())
            {
                WriteTime(tbs, notBefore);
                WriteTime(tbs, notAfter);
            }
            tbs.WriteEncodedValue(EmptySubject.RawData);
            tbs.WriteEncodedValue(subjectPublicKeyInfo);
            using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 3, isConstructed: true)))
            using (tbs.PushSequence())
            {
                foreach (var extension in _workloadExtensions)
                {
                    WriteExtension(tbs, extension);
                }
                WriteExtension(tbs, san);
            }
        }
        var toBeSigned = tbs.Encode();
        byte[] signature;
        // The key objects are not documented as thread-safe; a signature is microseconds, so serialize them.
        lock (_signing)
        {
            signature = _generator.SignData(toBeSigned, _hash);
        }
        var certificate = new AsnWriter(AsnEncodingRules.DER);
        using (certificate.PushSequence())
        {
            certificate.WriteEncodedValue(toBeSigned);
            certificate.WriteEncodedValue(_signatureAlgorithm);
            certificate.WriteBitString(signature);
        }
        return certificate.Encode();
    }

    private (DateTimeOffset NotBefore, DateTimeOffset NotAfter) Validity(TimeSpan ttl, DateTimeOffset now)
    {
        if (NotAfter <= now)
        {
            throw new InvalidOperationException($"the CA certificate expired at {NotAfter:O}");
        }
        var notAfter = now + ttl;
        return (now - Backdate, notAfter > NotAfter ? NotAfter : notAfter);
    }

    /// <summary>A random serial: positive, and always <see cref="SerialLength"/> bytes long.</summary>
    private static void NewSerial(Span<byte> serial)
    {
        RandomNumberGenerator.Fill(serial);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
    }

    /// <summary>RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime after; whole seconds.</summary>
    private static void WriteTime(AsnWriter writer, DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        utc = utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerSecond));
        if (utc.Year < 2050)
        {
            writer.WriteUtcTime(utc);
        }
        else
        {
            writer.WriteGeneralizedTime(utc, omitFractionalSeconds: true);
        }
    }

    private static void WriteExtension(AsnWriter writer, X509Extension extension)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(extension.Oid!.Value!);
            if (extension.Critical)
            {
                writer.WriteBoolean(true);
            }
            writer.WriteOctetString(extension.RawData);
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
