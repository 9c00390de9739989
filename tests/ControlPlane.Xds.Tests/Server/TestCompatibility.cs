using ControlPlane.Xds.Compatibility;
using ControlPlane.Xds.Proxy;
using Google.Protobuf;

namespace ControlPlane.Xds.Tests.Server;

/// <summary>
/// Serves proxies whose <c>TEST_LEVEL</c> metadata is <c>old</c> an adapted form of Address resources:
/// workloads named <c>new-...</c> are omitted, the others get their name prefixed with <c>old:</c>.
/// </summary>
public sealed class TestCompatibility : IResourceCompatibility
{
    public const string MetadataKey = "TEST_LEVEL";
    public const string Old = "old";

    public string SelectLevel(ProxyNode proxy, string typeUrl) =>
        typeUrl == TypeUrls.Address && proxy.Metadata.GetValueOrDefault(MetadataKey) == Old ? Old : string.Empty;

    public ResourceVariant Adapt(string typeUrl, string level, string name, ByteString body)
    {
        var address = Istio.Workload.Address.Parser.ParseFrom(body);
        if (name.StartsWith("new-", StringComparison.Ordinal))
        {
            return ResourceVariant.Omitted;
        }
        address.Workload.Name = $"old:{address.Workload.Name}";
        return ResourceVariant.Replaced(address.ToByteString());
    }
}
