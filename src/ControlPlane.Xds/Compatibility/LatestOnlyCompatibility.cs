using ControlPlane.Xds.Proxy;
using Google.Protobuf;

namespace ControlPlane.Xds.Compatibility;

/// <summary>Serves every proxy the resources as published (the default when nothing else is registered).</summary>
public sealed class LatestOnlyCompatibility : IResourceCompatibility
{
    public string SelectLevel(ProxyNode proxy, string typeUrl) => string.Empty;

    public ResourceVariant Adapt(string typeUrl, string level, string name, ByteString body) => ResourceVariant.Unchanged;
}
