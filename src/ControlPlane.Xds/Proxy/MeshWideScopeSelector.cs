namespace ControlPlane.Xds.Proxy;

/// <summary>Serves every proxy from the mesh-wide tables.</summary>
public sealed class MeshWideScopeSelector : IScopeSelector
{
    public string SelectScope(ProxyNode proxy, string typeUrl) => string.Empty;
}
