using ControlPlane.Ambient.Builders;
using ControlPlane.Ambient.Compatibility;
using ControlPlane.Xds;
using ControlPlane.Xds.Compatibility;
using ControlPlane.Xds.Proxy;
using Google.Protobuf;

namespace ControlPlane.Grains.Compatibility;

/// <summary>
/// Serves ztunnels the ambient types in the form their <c>ISTIO_VERSION</c> understands (rules in
/// <see cref="ZtunnelCompatibility"/>). Other proxies and types are served as published.
/// </summary>
public sealed class AmbientCompatibility : IResourceCompatibility
{
    public string SelectLevel(ProxyNode proxy, string typeUrl) =>
        proxy.Kind == ProxyKind.Ztunnel && KindOf(typeUrl) is not null ? ZtunnelCompatibility.LevelFor(proxy.IstioVersion) : string.Empty;

    public ResourceVariant Adapt(string typeUrl, string level, string name, ByteString body)
    {
        if (KindOf(typeUrl) is not { } kind)
        {
            return ResourceVariant.Unchanged;
        }
        var downgrade = ZtunnelCompatibility.Adapt(kind, level, body.Span);
        return downgrade switch
        {
            { Omitted: true } => ResourceVariant.Omitted,
            { Replacement: { } replacement } => ResourceVariant.Replaced(replacement.ToByteString()),
            _ => ResourceVariant.Unchanged,
        };
    }

    private static AmbientResourceKind? KindOf(string typeUrl) => typeUrl switch
    {
        TypeUrls.Address => AmbientResourceKind.Address,
        TypeUrls.Authorization => AmbientResourceKind.Authorization,
        _ => null,
    };
}
