using ControlPlane.Xds.Hub;
using ControlPlane.Xds.Proxy;
using ControlPlane.Xds.Security;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Xds.Server;

/// <summary>What every connection needs from the host, resolved once per server.</summary>
internal sealed record XdsServices(
    XdsHub Hub,
    ConnectionRegistry Registry,
    XdsMetrics Metrics,
    IScopeSelector ScopeSelector,
    IStreamAuthorizer Authorizer,
    XdsOptions Options,
    ILogger Logger);
