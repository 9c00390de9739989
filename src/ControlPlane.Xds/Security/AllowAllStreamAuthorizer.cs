using ControlPlane.Xds.Proxy;
using Grpc.Core;

namespace ControlPlane.Xds.Security;

/// <summary>Serves every stream: the plaintext port's policy, and the default when the host registers none.</summary>
public sealed class AllowAllStreamAuthorizer : IStreamAuthorizer
{
    public ValueTask<Status> AuthorizeAsync(ProxyNode proxy, ServerCallContext call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Status.DefaultSuccess);
}
