using ControlPlane.Xds.Proxy;
using Grpc.Core;

namespace ControlPlane.Xds.Security;

/// <summary>
/// Decides whether an ADS stream may be served to the proxy it claims to be. Consulted once per stream,
/// when the node of its first request has been parsed and before anything is sent. A refusal ends the
/// stream with the returned status (istiod: <c>Unauthenticated</c> when the caller cannot be
/// authenticated, <c>PermissionDenied</c> when its identity does not match the node).
/// </summary>
public interface IStreamAuthorizer
{
    /// <summary>Returns <see cref="Status.DefaultSuccess"/> to serve the stream, any other status to end it.</summary>
    ValueTask<Status> AuthorizeAsync(ProxyNode proxy, ServerCallContext call, CancellationToken cancellationToken);
}
