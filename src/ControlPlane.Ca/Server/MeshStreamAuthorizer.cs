using ControlPlane.Ca.Authentication;
using ControlPlane.Xds.Proxy;
using ControlPlane.Xds.Security;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Ca.Server;

/// <summary>
/// xDS stream security as istiod applies it on its secure port: the caller is authenticated like a CSR
/// (client certificate or token) or the stream ends with <c>Unauthenticated</c>; then its SPIFFE
/// namespace must equal the namespace the node claims (metadata <c>NAMESPACE</c>), and its service
/// account the <c>SERVICE_ACCOUNT</c> metadata when sent, or the stream ends with <c>PermissionDenied</c>.
/// </summary>
public sealed partial class MeshStreamAuthorizer(CallerAuthenticator authenticator, ILogger<MeshStreamAuthorizer> logger) : IStreamAuthorizer
{
    public async ValueTask<Status> AuthorizeAsync(ProxyNode proxy, ServerCallContext call, CancellationToken cancellationToken)
    {
        var result = await authenticator.AuthenticateAsync(CallerCredentials.From(call), cancellationToken).ConfigureAwait(false);
        if (result.Identity is not { } caller)
        {
            return new Status(StatusCode.Unauthenticated, $"authentication failure: {result.Failure}");
        }
        var serviceAccount = proxy.Metadata.GetValueOrDefault("SERVICE_ACCOUNT", string.Empty);
        if (caller.Id.Namespace != proxy.Namespace || (serviceAccount.Length > 0 && caller.Id.ServiceAccount != serviceAccount))
        {
            var claimed = serviceAccount.Length > 0 ? $"{proxy.Namespace}/{serviceAccount}" : proxy.Namespace;
            return new Status(StatusCode.PermissionDenied, $"authorization failed: identity {caller.Id} does not match the node's {claimed}");
        }
        LogAuthorized(proxy.Id, caller.ToString());
        return Status.DefaultSuccess;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "xDS stream of {Node} authenticated as {Caller}")]
    private partial void LogAuthorized(string node, string caller);
}
