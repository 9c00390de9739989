using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ControlPlane.Ca.Identity;
using ControlPlane.Ca.Signing;

namespace ControlPlane.Ca.Tests.Signing;

public sealed class CertificateAuthorityTests
{
    private static readonly SpiffeId App = new("cluster.local", "shop", "frontend");

    [Fact]
    public void SignWorkload_SelfSignedRoot_LeafThenRootAndTheChainVerifies()
    {
        using var ca = TestPki.SelfSignedAuthority();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var chain = ca.SignWorkload(new PublicKey(key), App, TimeSpan.FromHours(24), TestPki.Now);

        Assert.Equal(2, chain.Count);
        Assert.All(chain, pem => Assert.EndsWith("-----END CERTIFICATE-----\n", pem, StringComparison.Ordinal));
        Assert.Equal(ca.RootBundlePem, chain[^1]);
        var certificates = TestPki.ParseChain(chain);
        Assert.Equal(string.Empty, TestPki.VerifyChain(certificates[0], [], ca.RootBundlePem));
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), certificates[0].PublicKey.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void SignWorkload_Always_HasIstiodsWorkloadProfile()
    {
        using var ca = TestPki.SelfSignedAuthority();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var leaf = TestPki.ParseChain(ca.SignWorkload(new PublicKey(key), App, TimeSpan.FromHours(24), TestPki.Now))[0];

        Assert.Equal(["spiffe://cluster.local/ns/shop/sa/frontend"], TestPki.Uris(leaf));
        Assert.True(leaf.Extensions["2.5.29.17"]!.Critical);
        Assert.Empty(leaf.SubjectName.RawData.Skip(2));
        var constraints = leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.False(constraints.CertificateAuthority);
        var usage = leaf.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, usage.KeyUsages);
        var extended = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value);
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], extended);
        Assert.NotNull(leaf.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().SingleOrDefault());
    }

    [Fact]
    public void SignWorkload_RequestedLifetime_IsTheCertificatesLifetime()
    {
        using var ca = TestPki.SelfSignedAuthority();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow;

        var leaf = TestPki.ParseChain(ca.SignWorkload(new PublicKey(key), App, TimeSpan.FromHours(6), now))[0];

        AssertClose(now + TimeSpan.FromHours(6), leaf.NotAfter);
        AssertClose(now - CertificateAuthority.Backdate, leaf.NotBefore);
    }

    [Fact]
    public void SignWorkload_ValidityPast2049_IsWrittenAsGeneralizedTime()
    {
        var now = new DateTimeOffset(2049, 12, 15, 10, 30, 45, TimeSpan.Zero);
        var (cert, caKey) = SelfSignedRoot.Generate("cluster.local", TimeSpan.FromDays(3650), now);
        using var ca = new CertificateAuthority(CaKeyMaterial.FromPem(cert, caKey, null, null, "test", now));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var leaf = TestPki.ParseChain(ca.SignWorkload(new PublicKey(key), App, TimeSpan.FromDays(60), now))[0];

        Assert.Equal(new DateTime(2050, 2, 13, 10, 30, 45, DateTimeKind.Utc), leaf.NotAfter.ToUniversalTime());
        Assert.Equal(new DateTime(2049, 12, 15, 10, 29, 45, DateTimeKind.Utc), leaf.NotBefore.ToUniversalTime());
        Assert.Equal(string.Empty, TestPki.VerifyChain(leaf, [], ca.RootBundlePem, now.AddDays(1)));
    }

    [Fact]
    public void SignWorkload_BeyondTheCasExpiry_IsCutToIt()
    {
        using var ca = TestPki.SelfSignedAuthority(ttl: TimeSpan.FromDays(2));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var leaf = TestPki.ParseChain(ca.SignWorkload(new PublicKey(key), App, TimeSpan.FromDays(30), TestPki.Now))[0];

        Assert.Equal(ca.NotAfter, new DateTimeOffset(leaf.NotAfter.ToUniversalTime()));
    }

    [Fact]
    public void SignWorkload_PluggedInIntermediate_AnswersLeafIntermediateRoot()
    {
        var files = TestPki.Hierarchy(rsaRoot: true);
        using var ca = new CertificateAuthority(CaKeyMaterial.FromPem(files.CaCert, files.CaKey, files.CertChain, files.RootCert, "test", TestPki.Now));
        using var key = RSA.Create(2048);

        var chain = ca.SignWorkload(new PublicKey(key), App, TimeSpan.FromHours(1), TestPki.Now);

        Assert.Equal(3, chain.Count);
        Assert.Equal(files.CaCert, chain[1]);
        Assert.Equal(files.RootCert, chain[2]);
        var certificates = TestPki.ParseChain(chain);
        Assert.Equal(string.Empty, TestPki.VerifyChain(certificates[0], [certificates[1]], files.RootCert));
    }

    [Fact]
    public async Task SignWorkload_ManyAtOnce_EveryCertificateIsDistinctAndValid()
    {
        using var ca = TestPki.SelfSignedAuthority();

        var chains = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            return ca.SignWorkload(new PublicKey(key), new SpiffeId("cluster.local", $"ns{i}", "sa"), TimeSpan.FromHours(1), TestPki.Now);
        })));

        var leaves = chains.Select(c => TestPki.ParseChain(c)[0]).ToList();
        Assert.Equal(64, leaves.Select(l => l.SerialNumber).Distinct().Count());
        Assert.All(leaves, leaf => Assert.Equal(string.Empty, TestPki.VerifyChain(leaf, [], ca.RootBundlePem)));
    }

    [Fact]
    public void IssueServingCertificate_Names_AreDnsSansOfAServerCertificateWithItsKey()
    {
        using var ca = TestPki.SelfSignedAuthority();

        var credential = ca.IssueServingCertificate(["istiod.istio-system.svc", "cp.example.com"], TimeSpan.FromHours(1), TestPki.Now);

        var certificate = credential.Certificate;
        Assert.True(certificate.HasPrivateKey);
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["istiod.istio-system.svc", "cp.example.com"], san.EnumerateDnsNames());
        Assert.True(certificate.MatchesHostname("istiod.istio-system.svc"));
        Assert.Equal(string.Empty, TestPki.VerifyChain(certificate, [], ca.RootBundlePem));
    }

    private static void AssertClose(DateTimeOffset expected, DateTime actual) =>
        Assert.InRange(new DateTimeOffset(actual.ToUniversalTime()), expected.AddSeconds(-2), expected.AddSeconds(2));
}
