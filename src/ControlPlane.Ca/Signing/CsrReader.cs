using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ControlPlane.Ca.Signing;

/// <summary>
/// Reads a PEM PKCS#10 request and keeps only its public key, after checking the request's signature
/// (proof that the caller holds the private key) and that the key is one we sign: ECDSA P-256 or P-384,
/// or RSA of 2048 to 8192 bits. Nothing else of the request (subject, extensions) reaches a certificate.
/// </summary>
public static class CsrReader
{
    /// <summary>Largest PEM accepted; an RSA-8192 request is under 3 KiB.</summary>
    public const int MaxPemLength = 16 * 1024;

    /// <summary>Most subject alternative names a request may list (ztunnel and istio-agent send one).</summary>
    public const int MaxRequestedNames = 16;

    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string RsaPublicKeyOid = "1.2.840.113549.1.1.1";
    private const string P256Oid = "1.2.840.10045.3.1.7";
    private const string P384Oid = "1.3.132.0.34";
    private const string SubjectAltNameOid = "2.5.29.17";

    /// <summary>Returns the request's verified public key; throws <see cref="InvalidCsrException"/> otherwise.</summary>
    public static PublicKey ReadPublicKey(string? pem)
    {
        if (string.IsNullOrWhiteSpace(pem))
        {
            throw new InvalidCsrException("the request has no CSR");
        }
        if (pem.Length > MaxPemLength)
        {
            throw new InvalidCsrException($"the CSR is {pem.Length} characters long; at most {MaxPemLength} are accepted");
        }
        CertificateRequest request;
        try
        {
            // Default options verify the request's self-signature; extensions are loaded only to be inspected.
            request = CertificateRequest.LoadSigningRequestPem(
                pem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or AsnContentException or FormatException)
        {
            throw new InvalidCsrException($"the CSR is not a valid PEM certificate signing request: {ex.Message}");
        }
        CheckKey(request.PublicKey);
        CheckRequestedNames(request);
        return request.PublicKey;
    }

    private static void CheckKey(PublicKey key)
    {
        switch (key.Oid.Value)
        {
            case EcPublicKeyOid:
                var curve = CurveOf(key);
                if (curve is not (P256Oid or P384Oid))
                {
                    throw new InvalidCsrException($"the CSR's ECDSA key is on curve {curve ?? "(explicit parameters)"}; only P-256 and P-384 are accepted");
                }
                break;
            case RsaPublicKeyOid:
                int bits;
                try
                {
                    using var rsa = key.GetRSAPublicKey() ?? throw new CryptographicException("no RSA key");
                    bits = rsa.KeySize;
                }
                catch (CryptographicException ex)
                {
                    throw new InvalidCsrException($"the CSR's RSA key cannot be read: {ex.Message}");
                }
                if (bits is < 2048 or > 8192)
                {
                    throw new InvalidCsrException($"the CSR's RSA key has {bits} bits; 2048 to 8192 are accepted");
                }
                break;
            default:
                throw new InvalidCsrException($"the CSR's key algorithm {key.Oid.Value} is not accepted; use ECDSA P-256/P-384 or RSA of at least 2048 bits");
        }
    }

    private static string? CurveOf(PublicKey key)
    {
        try
        {
            if (key.EncodedParameters?.RawData is not { } parameters)
            {
                return null;
            }
            var reader = new AsnReader(parameters, AsnEncodingRules.DER);
            return reader.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier) ? reader.ReadObjectIdentifier() : null;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private static void CheckRequestedNames(CertificateRequest request)
    {
        foreach (var extension in request.CertificateExtensions)
        {
            if (extension.Oid?.Value != SubjectAltNameOid)
            {
                continue;
            }
            var count = 0;
            try
            {
                var names = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
                while (names.HasData)
                {
                    names.ReadEncodedValue();
                    count++;
                }
            }
            catch (AsnContentException ex)
            {
                throw new InvalidCsrException($"the CSR's subject alternative names are malformed: {ex.Message}");
            }
            if (count > MaxRequestedNames)
            {
                throw new InvalidCsrException($"the CSR lists {count} subject alternative names; at most {MaxRequestedNames} are accepted");
            }
        }
    }
}
