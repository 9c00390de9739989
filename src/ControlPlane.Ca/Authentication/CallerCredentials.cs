using System.Security.Cryptography.X509Certificates;
using Grpc.AspNetCore.Server;
using Grpc.Core;

namespace ControlPlane.Ca.Authentication;

/// <summary>What a gRPC call presents to authenticate: a TLS client certificate, a bearer token, a cluster id.</summary>
public sealed record CallerCredentials(X509Certificate2? ClientCertificate, string? BearerToken, string ClusterId, string Peer)
{
    private const string BearerPrefix = "Bearer ";

    public static CallerCredentials From(ServerCallContext call)
    {
        var certificate = call.GetHttpContext().Connection.ClientCertificate;
        string? token = null;
        var clusterIds = 0;
        var clusterId = string.Empty;
        foreach (var header in call.RequestHeaders)
        {
            if (header.IsBinary)
            {
                continue;
            }
            switch (header.Key)
            {
                case "authorization" when token is null && header.Value.StartsWith(BearerPrefix, StringComparison.Ordinal):
                    token = header.Value[BearerPrefix.Length..].Trim();
                    break;
                case "clusterid":
                    clusterIds++;
                    clusterId = header.Value;
                    break;
            }
        }
        // As istiod: a cluster id counts only when sent once.
        return new CallerCredentials(certificate, string.IsNullOrEmpty(token) ? null : token, clusterIds == 1 ? clusterId : string.Empty, call.Peer);
    }
}
