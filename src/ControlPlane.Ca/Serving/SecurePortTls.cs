using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ControlPlane.Ca.Authentication;
using ControlPlane.Ca.Signing;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Ca.Serving;

/// <summary>
/// TLS of the secure port, as istiod sets it up: the serving certificate of the moment, HTTP/2 by ALPN,
/// and client certificates asked for but optional (ztunnel authenticates with a token); a certificate
/// that is presented must chain to the mesh roots or the handshake fails.
/// </summary>
public sealed partial class SecurePortTls(ServingCertificates serving, CaProvider ca, TimeProvider time, ILogger<SecurePortTls> logger)
{
    public async ValueTask<SslServerAuthenticationOptions> GetServerOptionsAsync(CancellationToken cancellationToken)
    {
        var context = await serving.GetContextAsync(cancellationToken).ConfigureAwait(false);
        var authority = await ca.GetAsync(cancellationToken).ConfigureAwait(false);
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = context,
            ClientCertificateRequired = true,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is null || Verify(certificate, authority),
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
    }

    private bool Verify(X509Certificate certificate, CertificateAuthority authority)
    {
        var candidate = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (ClientCertificateAuthenticator.Verify(candidate, authority, time.GetUtcNow(), out var failure))
        {
            return true;
        }
        LogRejected(failure);
        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS handshake refused a client certificate: {Reason}")]
    private partial void LogRejected(string reason);
}
