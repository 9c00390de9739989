using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using Istio.V1.Auth;

namespace ControlPlane.Ca.Tests.Server;

/// <summary>Calls CreateCertificate as ztunnel does: a fresh key, a CSR, optional impersonation.</summary>
internal static class CaClient
{
    public static async Task<IstioCertificateResponse> CreateAsync(GrpcChannel channel, string csr, string? impersonate = null, long ttlSeconds = 86400)
    {
        var request = new IstioCertificateRequest { Csr = csr, ValidityDuration = ttlSeconds };
        if (impersonate is not null)
        {
            request.Metadata = new Struct();
            request.Metadata.Fields["ImpersonatedIdentity"] = Value.ForString(impersonate);
        }
        return await new IstioCertificateService.IstioCertificateServiceClient(channel).CreateCertificateAsync(request);
    }

    /// <summary>Requests a certificate for a fresh key and returns it with the key, ready for mTLS.</summary>
    public static async Task<X509Certificate2> CreateWithKeyAsync(GrpcChannel channel)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var response = await CreateAsync(channel, TestPki.Csr(key));
        using var leaf = X509Certificate2.CreateFromPem(response.CertChain[0]);
        // Round-trip through PKCS#12 so the platform TLS stack can use the key.
        using var withKey = leaf.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
