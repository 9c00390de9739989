using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ControlPlane.Ca.Signing;
using Grpc.Core;
using Istio.V1.Auth;

namespace ControlPlane.Ca.Tests.Server;

public sealed class IstioCertificateServerTests(SecureMeshFixture fixture) : IClassFixture<SecureMeshFixture>
{
    private const string WebId = "spiffe://cluster.local/ns/shop/sa/web";
    private const string DbId = "spiffe://cluster.local/ns/shop/sa/db";

    [Fact]
    public async Task CreateCertificate_TlsClientTrustingOnlyTheRoot_GetsAVerifyingChainForItsOwnIdentity()
    {
        var root = await File.ReadAllTextAsync(fixture.RootCertFile);
        using var channel = fixture.Server.CreateSecureChannel(token: SecureMeshFixture.Web, rootPem: root);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // The CSR asks for someone else's identity: the CA ignores what a CSR asks for.
        var csr = TestPki.Csr(key, "spiffe://cluster.local/ns/istio-system/sa/istiod");

        var response = await CaClient.CreateAsync(channel, csr);

        Assert.Equal(2, response.CertChain.Count);
        Assert.Equal(root, response.CertChain[^1]);
        var chain = TestPki.ParseChain(response.CertChain);
        Assert.Equal(string.Empty, TestPki.VerifyChain(chain[0], chain.Skip(1).SkipLast(1), root));
        Assert.Equal([WebId], TestPki.Uris(chain[0]));
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), chain[0].PublicKey.ExportSubjectPublicKeyInfo());
        Assert.InRange(chain[0].NotAfter - chain[0].NotBefore, TimeSpan.FromHours(24), TimeSpan.FromHours(24) + CertificateAuthority.Backdate);
    }

    [Fact]
    public async Task CreateCertificate_NodeAccountImpersonatesAPodOnItsNode_IsGranted()
    {
        using var channel = fixture.Server.CreateSecureChannel(token: SecureMeshFixture.ZtunnelA, clusterId: "Kubernetes");

        var response = await CaClient.CreateAsync(channel, TestPki.EcCsr(WebId), impersonate: WebId);

        Assert.Equal([WebId], TestPki.Uris(TestPki.ParseChain(response.CertChain)[0]));
    }

    [Theory]
    [InlineData(SecureMeshFixture.ZtunnelA, DbId)]                                     // a pod on another node
    [InlineData(SecureMeshFixture.ZtunnelB, WebId)]                                    // the same, from the other side
    [InlineData(SecureMeshFixture.Web, DbId)]                                          // an untrusted account
    [InlineData(SecureMeshFixture.ZtunnelA, "spiffe://cluster.local/ns/evil/sa/web")]  // a forged namespace
    [InlineData(SecureMeshFixture.ZtunnelA, "spiffe://evil.domain/ns/shop/sa/web")]    // a forged trust domain
    [InlineData(SecureMeshFixture.ZtunnelA, "shop/web")]                               // not a SPIFFE id
    [InlineData(SecureMeshFixture.Stale, WebId)]                                       // the caller's pod was replaced
    public async Task CreateCertificate_ImpersonationNotBackedByTheCallersNode_IsUnauthenticated(string token, string requested)
    {
        using var channel = fixture.Server.CreateSecureChannel(token: token);

        var error = await Assert.ThrowsAsync<RpcException>(() => CaClient.CreateAsync(channel, TestPki.EcCsr(), impersonate: requested));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("request impersonation authentication failure", error.Status.Detail);
    }

    [Theory]
    [InlineData("not-a-listed-token")]
    [InlineData(null)]
    public async Task CreateCertificate_UnknownOrNoToken_IsUnauthenticated(string? token)
    {
        using var channel = fixture.Server.CreateSecureChannel(token: token);

        var error = await Assert.ThrowsAsync<RpcException>(() => CaClient.CreateAsync(channel, TestPki.EcCsr()));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("request authenticate failure", error.Status.Detail);
    }

    [Fact]
    public async Task CreateCertificate_BadCsrs_AreRefusedAndTheCaKeepsWorking()
    {
        using var channel = fixture.Server.CreateSecureChannel(token: SecureMeshFixture.Web);
        using var weak = RSA.Create(1024);
        var tampered = Convert.FromBase64String(string.Concat(TestPki.EcCsr().Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal))));
        tampered[^3] ^= 0x01;
        string[] bad =
        [
            string.Empty,
            "garbage",
            "-----BEGIN CERTIFICATE REQUEST-----\nMIIBljCCATwCAQAw\n-----END CERTIFICATE REQUEST-----\n",
            PemEncoding.WriteString("CERTIFICATE REQUEST", tampered),
            TestPki.Csr(weak),
            TestPki.EcCsr([.. Enumerable.Range(0, 40).Select(i => $"spiffe://cluster.local/ns/n{i}/sa/s")]),
            TestPki.EcCsr() + new string('A', 20_000),
        ];

        foreach (var csr in bad)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => CaClient.CreateAsync(channel, csr));
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.StartsWith("CSR signing error (", error.Status.Detail, StringComparison.Ordinal);
        }

        var good = await CaClient.CreateAsync(channel, TestPki.EcCsr());
        Assert.Equal([WebId], TestPki.Uris(TestPki.ParseChain(good.CertChain)[0]));
    }

    [Fact]
    public async Task CreateCertificate_OversizedMessage_IsRefusedBeforeItIsRead()
    {
        using var channel = fixture.Server.CreateSecureChannel(token: SecureMeshFixture.Web);

        var error = await Assert.ThrowsAsync<RpcException>(() => CaClient.CreateAsync(channel, new string('A', 2 * CaServiceCollectionExtensions.MaxRequestBytes)));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Theory]
    [InlineData(0, 24 * 3600)]
    [InlineData(-5, 24 * 3600)]
    [InlineData(3600, 3600)]
    [InlineData(90L * 24 * 3600, 90L * 24 * 3600)]
    public async Task CreateCertificate_RequestedTtl_IsTheLifetime(long requested, long expected)
    {
        using var channel = fixture.Server.CreateSecureChannel(token: SecureMeshFixture.Web);

        var response = await CaClient.CreateAsync(channel, TestPki.EcCsr(), ttlSeconds: requested);

        var leaf = TestPki.ParseChain(response.CertChain)[0];
        var lifetime = leaf.NotAfter - leaf.NotBefore;
        Assert.InRange(lifetime, TimeSpan.FromSeconds(expected - 2) + CertificateAuthority.Backdate, TimeSpan.FromSeconds(expected + 2) + CertificateAuthority.Backdate);
    }

    [Fact]
    public async Task CreateCertificate_TtlAboveTheMaximum_IsInvalidArgument()
    {
        using var channel = fixture.Server.CreateSecureChannel(token: SecureMeshFixture.Web);

        var error = await Assert.ThrowsAsync<RpcException>(() => CaClient.CreateAsync(channel, TestPki.EcCsr(), ttlSeconds: (90L * 24 * 3600) + 1));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("max allowed TTL", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateCertificate_MeshClientCertificate_AuthenticatesAsItsIdentity()
    {
        X509Certificate2 mesh;
        using (var tokenChannel = fixture.Server.CreateSecureChannel(token: SecureMeshFixture.Web))
        {
            mesh = await CaClient.CreateWithKeyAsync(tokenChannel);
        }
        using var _ = mesh;
        using var channel = fixture.Server.CreateSecureChannel(clientCertificate: mesh);

        var response = await CaClient.CreateAsync(channel, TestPki.EcCsr());

        Assert.Equal([WebId], TestPki.Uris(TestPki.ParseChain(response.CertChain)[0]));
    }

    [Fact]
    public async Task CreateCertificate_ClientCertificateOfAnotherCa_FailsTheHandshake()
    {
        using var foreign = TestPki.SelfSignedAuthority();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = X509Certificate2.CreateFromPem(foreign.SignWorkload(new PublicKey(key), new ControlPlane.Ca.Identity.SpiffeId("cluster.local", "shop", "web"), TimeSpan.FromHours(1), DateTimeOffset.UtcNow)[0]);
        using var withKey = leaf.CopyWithPrivateKey(key);
        using var certificate = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        using var channel = fixture.Server.CreateSecureChannel(token: SecureMeshFixture.Web, clientCertificate: certificate);

        var error = await Assert.ThrowsAsync<RpcException>(() => CaClient.CreateAsync(channel, TestPki.EcCsr()));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public async Task CreateCertificate_OnThePlaintextPort_IsNotServed()
    {
        using var channel = fixture.Server.CreateXdsChannel();
        var headers = new Metadata { { "authorization", $"Bearer {SecureMeshFixture.Web}" } };

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            new IstioCertificateService.IstioCertificateServiceClient(channel).CreateCertificateAsync(new IstioCertificateRequest { Csr = TestPki.EcCsr() }, headers).ResponseAsync);

        Assert.NotEqual(StatusCode.OK, error.StatusCode);
        Assert.NotEqual(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task Metrics_AfterCalls_CountCsrsUnderIstiodsNames()
    {
        using var channel = fixture.Server.CreateSecureChannel(token: SecureMeshFixture.Web);
        await CaClient.CreateAsync(channel, TestPki.EcCsr());
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.Server.MonitoringPort}") };

        var text = await http.GetStringAsync("/metrics");

        Assert.Matches(@"(?m)^citadel_server_csr_count [1-9]", text);
        Assert.Matches(@"(?m)^citadel_server_success_cert_issuance_count [1-9]", text);
    }
}
