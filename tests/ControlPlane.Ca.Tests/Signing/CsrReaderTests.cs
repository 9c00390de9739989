using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ControlPlane.Ca.Signing;

namespace ControlPlane.Ca.Tests.Signing;

public sealed class CsrReaderTests
{
    [Fact]
    public void ReadPublicKey_EcdsaP256Csr_ReturnsItsKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var publicKey = CsrReader.ReadPublicKey(TestPki.Csr(key, "spiffe://cluster.local/ns/default/sa/app"));

        Assert.Equal(key.ExportSubjectPublicKeyInfo(), publicKey.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void ReadPublicKey_EcdsaP384Csr_ReturnsItsKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        var publicKey = CsrReader.ReadPublicKey(TestPki.Csr(key));

        Assert.Equal(key.ExportSubjectPublicKeyInfo(), publicKey.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void ReadPublicKey_Rsa2048Csr_ReturnsItsKey()
    {
        using var key = RSA.Create(2048);

        var publicKey = CsrReader.ReadPublicKey(TestPki.Csr(key));

        Assert.Equal(key.ExportSubjectPublicKeyInfo(), publicKey.ExportSubjectPublicKeyInfo());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("garbage")]
    [InlineData("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n")]
    [InlineData("-----BEGIN CERTIFICATE REQUEST-----\n!!!not base64!!!\n-----END CERTIFICATE REQUEST-----\n")]
    [InlineData("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n")]
    public void ReadPublicKey_Garbage_IsRefused(string pem)
    {
        Assert.Throws<InvalidCsrException>(() => CsrReader.ReadPublicKey(pem));
    }

    [Fact]
    public void ReadPublicKey_TruncatedCsr_IsRefused()
    {
        var pem = TestPki.EcCsr();
        var der = PemDer(pem);
        var truncated = PemEncoding.WriteString("CERTIFICATE REQUEST", der.AsSpan(0, der.Length / 2));

        var error = Assert.Throws<InvalidCsrException>(() => CsrReader.ReadPublicKey(truncated));

        Assert.Contains("not a valid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadPublicKey_WrongSignature_IsRefused()
    {
        var der = PemDer(TestPki.EcCsr("spiffe://cluster.local/ns/default/sa/app"));
        // The signature BIT STRING ends the request: flip a bit inside the ECDSA signature's last integer.
        der[^3] ^= 0x01;
        var tampered = PemEncoding.WriteString("CERTIFICATE REQUEST", der);

        Assert.Throws<InvalidCsrException>(() => CsrReader.ReadPublicKey(tampered));
    }

    [Fact]
    public void ReadPublicKey_RequestSignedByAnotherKey_IsRefused()
    {
        // The CSR carries key A but is signed by key B: whoever sent it does not prove holding A.
        using var keyA = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var keyB = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=x"), new PublicKey(keyA), HashAlgorithmName.SHA256);
        var pem = request.CreateSigningRequestPem(X509SignatureGenerator.CreateForECDsa(keyB));

        Assert.Throws<InvalidCsrException>(() => CsrReader.ReadPublicKey(pem));
    }

    [Fact]
    public void ReadPublicKey_Rsa1024_IsRefusedAsWeak()
    {
        using var key = RSA.Create(1024);

        var error = Assert.Throws<InvalidCsrException>(() => CsrReader.ReadPublicKey(TestPki.Csr(key)));

        Assert.Contains("1024 bits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadPublicKey_EcdsaP521_IsRefused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        var request = new CertificateRequest(new X500DistinguishedName(string.Empty), key, HashAlgorithmName.SHA512);

        var error = Assert.Throws<InvalidCsrException>(() => CsrReader.ReadPublicKey(request.CreateSigningRequestPem()));

        Assert.Contains("P-256 and P-384", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadPublicKey_ManySans_IsRefused()
    {
        var uris = Enumerable.Range(0, CsrReader.MaxRequestedNames + 1).Select(i => $"spiffe://cluster.local/ns/ns{i}/sa/sa").ToArray();

        var error = Assert.Throws<InvalidCsrException>(() => CsrReader.ReadPublicKey(TestPki.EcCsr(uris)));

        Assert.Contains($"{CsrReader.MaxRequestedNames + 1} subject alternative names", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadPublicKey_Oversized_IsRefusedBeforeParsing()
    {
        var pem = TestPki.EcCsr() + new string('A', CsrReader.MaxPemLength);

        var error = Assert.Throws<InvalidCsrException>(() => CsrReader.ReadPublicKey(pem));

        Assert.Contains("characters long", error.Message, StringComparison.Ordinal);
    }

    private static byte[] PemDer(string pem)
    {
        var fields = PemEncoding.Find(pem);
        return Convert.FromBase64String(pem[fields.Base64Data]);
    }
}
