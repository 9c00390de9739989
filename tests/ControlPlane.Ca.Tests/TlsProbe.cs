using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace ControlPlane.Ca.Tests;

/// <summary>A bare TLS handshake with the secure port, to see the certificate and protocol it offers.</summary>
internal static class TlsProbe
{
    public static async Task<(X509Certificate2 Certificate, X509Certificate2[] SentChain, SslApplicationProtocol Protocol)> HandshakeAsync(int port, string host)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(client.GetStream());
        X509Certificate2[] sent = [];
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = host,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            // Trust is checked by the tests themselves, against the mesh root.
            RemoteCertificateValidationCallback = (_, _, chain, _) =>
            {
                sent = chain is null ? [] : [.. chain.ChainPolicy.ExtraStore];
                return true;
            },
        });
        var certificate = X509CertificateLoader.LoadCertificate(tls.RemoteCertificate!.GetRawCertData());
        return (certificate, sent, tls.NegotiatedApplicationProtocol);
    }
}
