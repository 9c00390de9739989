using ControlPlane.Ca.Server;
using ControlPlane.Xds.Proxy;
using ControlPlane.Xds.Security;
using Grpc.Core;

namespace ControlPlane.Host;

/// <summary>
/// Applies the mesh's stream security to xDS streams that arrive on the secure port only; the plaintext
/// port, like istiod's 15010, serves whoever reaches it.
/// </summary>
public sealed class SecurePortStreamAuthorizer(int securePort, MeshStreamAuthorizer secure) : IStreamAuthorizer
{
    public ValueTask<Status> AuthorizeAsync(ProxyNode proxy, ServerCallContext call, CancellationToken cancellationToken) =>
        call.GetHttpContext().Connection.LocalPort == securePort
            ? secure.AuthorizeAsync(proxy, call, cancellationToken)
            : ValueTask.FromResult(Status.DefaultSuccess);
}
