using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ControlPlane.Ca.Serving;
using ControlPlane.Ca.Signing;
using ControlPlane.Testing;
using ControlPlane.Testing.Xds;
using ControlPlane.Xds;
using ControlPlane.Xds.Resources;
using Microsoft.Extensions.DependencyInjection;

namespace ControlPlane.Ca.Tests.Serving;

public sealed class ServingCertificatesTests(SecureMeshFixture fixture) : IClassFixture<SecureMeshFixture>
{
    [Fact]
    public async Task Handshake_SecurePort_OffersAnIstiodCertificateOfTheMeshCaOverHttp2()
    {
        var (certificate, _, protocol) = await TlsProbe.HandshakeAsync(fixture.Server.SecurePort, TestControlPlane.IstiodHost);

        using var _ = certificate;
        Assert.Equal(SslApplicationProtocol.Http2, protocol);
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames();
        Assert.Equal(["istiod.istio-system.svc", "controlplane.example.com"], names);
        Assert.Equal(string.Empty, TestPki.VerifyChain(certificate, [], await File.ReadAllTextAsync(fixture.RootCertFile)));
    }

    [Fact]
    public async Task RotateAsync_WithAnOpenStream_NewHandshakesGetTheNewCertificateAndTheStreamCarriesOn()
    {
        var serving = fixture.Server.App.Services.GetRequiredService<ServingCertificates>();
        using var channel = fixture.Server.CreateSecureChannel(token: SecureMeshFixture.ZtunnelA);
        await using var ztunnel = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, XdsNodes.Ztunnel(nodeName: "node-a", podName: "ztunnel-a"));
        await ztunnel.ExpectAndAckAsync(TypeUrls.Address);
        await ztunnel.ExpectAndAckAsync(TypeUrls.Authorization);
        var before = (await TlsProbe.HandshakeAsync(fixture.Server.SecurePort, TestControlPlane.IstiodHost)).Certificate;

        await serving.RotateAsync(CancellationToken.None);

        var after = (await TlsProbe.HandshakeAsync(fixture.Server.SecurePort, TestControlPlane.IstiodHost)).Certificate;
        Assert.NotEqual(before.SerialNumber, after.SerialNumber);
        Assert.Equal(serving.Current!.SerialNumber, after.SerialNumber);
        var name = $"rotation-{Guid.NewGuid():n}";
        var address = new Istio.Workload.Address { Workload = new Istio.Workload.Workload { Uid = name, Name = name } };
        fixture.Server.Hub.Publish(new ResourceDelta(TypeUrls.Address, string.Empty, [XdsResource.Create(TypeUrls.Address, name, address)], []));
        var push = await ztunnel.ExpectAndAckAsync(TypeUrls.Address);
        Assert.Equal([name], push.Resources.Select(r => r.Name));
    }

    [Fact]
    public void RenewalTime_AnyCertificate_IsHalfWayThroughItsLifetime()
    {
        using var ca = TestPki.SelfSignedAuthority();
        var now = DateTimeOffset.UtcNow;

        var credential = ca.IssueServingCertificate(["istiod.istio-system.svc"], TimeSpan.FromHours(10), now);

        var expected = now - CertificateAuthority.Backdate + ((TimeSpan.FromHours(10) + CertificateAuthority.Backdate) / 2);
        Assert.InRange(ServingCertificates.RenewalTime(credential.Certificate), expected.AddSeconds(-2), expected.AddSeconds(2));
    }
}
