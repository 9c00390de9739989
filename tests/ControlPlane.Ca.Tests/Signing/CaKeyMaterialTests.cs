using System.Security.Cryptography;
using ControlPlane.Ca.Signing;

namespace ControlPlane.Ca.Tests.Signing;

public sealed class CaKeyMaterialTests
{
    [Fact]
    public void FromPem_IstioCacerts_ChainExcludesTheRootAndRootsAreTheBundle()
    {
        var files = TestPki.Hierarchy();

        using var material = CaKeyMaterial.FromPem(files.CaCert, files.CaKey, files.CertChain, files.RootCert, "test", TestPki.Now);

        Assert.Single(material.Intermediates);
        Assert.Single(material.Roots);
        Assert.Equal(material.SigningCertificate.RawData, material.Intermediates[0].RawData);
    }

    [Fact]
    public void FromPem_KeyOfAnotherCertificate_IsRefused()
    {
        var files = TestPki.Hierarchy();
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var error = Assert.Throws<InvalidOperationException>(() =>
            CaKeyMaterial.FromPem(files.CaCert, other.ExportPkcs8PrivateKeyPem(), files.CertChain, files.RootCert, "test", TestPki.Now));

        Assert.Contains("not the key of ca-cert.pem", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_UnreadableKey_IsRefusedWithoutEchoingIt()
    {
        var files = TestPki.Hierarchy();
        const string secretish = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n";

        var error = Assert.Throws<InvalidOperationException>(() =>
            CaKeyMaterial.FromPem(files.CaCert, secretish, files.CertChain, files.RootCert, "test", TestPki.Now));

        Assert.DoesNotContain("c2VjcmV0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_RootThatDidNotSignTheCa_IsRefused()
    {
        var files = TestPki.Hierarchy();
        var stranger = TestPki.Hierarchy();

        var error = Assert.Throws<InvalidOperationException>(() =>
            CaKeyMaterial.FromPem(files.CaCert, files.CaKey, files.CaCert, stranger.RootCert, "test", TestPki.Now));

        Assert.Contains("does not chain to root-cert.pem", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_ExpiredCa_IsRefused()
    {
        var files = TestPki.Hierarchy(intermediateTtl: TimeSpan.FromDays(1));

        var error = Assert.Throws<InvalidOperationException>(() =>
            CaKeyMaterial.FromPem(files.CaCert, files.CaKey, files.CertChain, files.RootCert, "test", TestPki.Now.AddDays(2)));

        Assert.Contains("not now", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_NoRootAndNotSelfSigned_IsRefused()
    {
        var files = TestPki.Hierarchy();

        var error = Assert.Throws<InvalidOperationException>(() =>
            CaKeyMaterial.FromPem(files.CaCert, files.CaKey, null, null, "test", TestPki.Now));

        Assert.Contains("root-cert.pem is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_LeafCertificateAsCa_IsRefused()
    {
        using var authority = TestPki.SelfSignedAuthority();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var chain = authority.SignWorkload(new System.Security.Cryptography.X509Certificates.PublicKey(key), new ControlPlane.Ca.Identity.SpiffeId("cluster.local", "a", "b"), TimeSpan.FromHours(1), TestPki.Now);

        var error = Assert.Throws<InvalidOperationException>(() =>
            CaKeyMaterial.FromPem(chain[0], key.ExportPkcs8PrivateKeyPem(), null, authority.RootBundlePem, "test", TestPki.Now));

        Assert.Contains("is not a CA certificate", error.Message, StringComparison.Ordinal);
    }
}
