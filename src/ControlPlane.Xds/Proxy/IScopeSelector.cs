namespace ControlPlane.Xds.Proxy;

/// <summary>
/// Chooses which table scope serves a proxy for a type URL: "" (mesh-wide) for ztunnels, a waypoint's
/// own scope for its listeners and clusters, and so on.
/// </summary>
public interface IScopeSelector
{
    string SelectScope(ProxyNode proxy, string typeUrl);
}
