using ControlPlane.Xds.Proxy;
using Google.Protobuf;

namespace ControlPlane.Xds.Compatibility;

/// <summary>
/// Serves older proxies a form of each resource they understand. A proxy's node selects a compatibility
/// level per type URL; the hub keeps one variant table per (table, level) in use, adapting each changed
/// resource once per level, so every proxy at that level shares the same encoded variant (whose version
/// is its own content hash). What a level means is up to the implementation; the xDS layer only routes.
/// </summary>
public interface IResourceCompatibility
{
    /// <summary>The level <paramref name="proxy"/> is served <paramref name="typeUrl"/> at; empty = as published.</summary>
    string SelectLevel(ProxyNode proxy, string typeUrl);

    /// <summary>The resource as a proxy at <paramref name="level"/> must see it (called only for non-empty levels).</summary>
    ResourceVariant Adapt(string typeUrl, string level, string name, ByteString body);
}
