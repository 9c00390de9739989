using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ControlPlane.Ca.Signing;

/// <summary>
/// Generates the mesh root when none is plugged in, as istiod does on first start: a self-signed CA
/// certificate whose subject organization is the trust domain. The key is ECDSA P-256.
/// </summary>
public static class SelfSignedRoot
{
    /// <summary>Returns the new root as PEM: certificate and PKCS#8 private key.</summary>
    public static (string CertificatePem, string KeyPem) Generate(string trustDomain, TimeSpan ttl, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName(trustDomain);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var certificate = request.CreateSelfSigned(now - CertificateAuthority.Backdate, now + ttl);
        return (certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }
}
