using System.IO.Hashing;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using DeltaResource = Envoy.Service.Discovery.V3.Resource;

namespace ControlPlane.Xds.Resources;

/// <summary>
/// One named resource, encoded once. The version is a content hash (XxHash64 of the encoded bytes,
/// lower-case hex), so it is stable across restarts and replicas and a reconnecting proxy is sent only
/// what differs. The wire wrappers (Any, delta Resource) are built once and shared by every stream.
/// </summary>
public sealed class XdsResource
{
    private Any? _any;
    private DeltaResource? _deltaResource;

    public XdsResource(string typeUrl, string name, ByteString body)
    {
        ArgumentException.ThrowIfNullOrEmpty(typeUrl);
        ArgumentException.ThrowIfNullOrEmpty(name);
        TypeUrl = typeUrl;
        Name = name;
        Body = body;
        var hash = XxHash64.HashToUInt64(body.Span);
        Version = hash.ToString("x16");
        Fingerprint = unchecked(XxHash64.HashToUInt64(System.Text.Encoding.UTF8.GetBytes(name)) ^ (hash * 0x9E3779B97F4A7C15UL));
    }

    public string TypeUrl { get; }

    public string Name { get; }

    /// <summary>Content hash of <see cref="Body"/>.</summary>
    public string Version { get; }

    /// <summary>
    /// Hash of name and version; summed over a set it gives an order-independent version for
    /// state-of-the-world responses.
    /// </summary>
    public ulong Fingerprint { get; }

    /// <summary>The encoded resource message (not wrapped in Any).</summary>
    public ByteString Body { get; }

    /// <summary>The resource as a google.protobuf.Any; built on first use and shared.</summary>
    public Any Any => _any ??= new Any { TypeUrl = TypeUrl, Value = Body };

    /// <summary>The resource wrapped for delta responses; built on first use and shared.</summary>
    public DeltaResource DeltaResource => _deltaResource ??= new DeltaResource { Name = Name, Version = Version, Resource_ = Any };

    public static XdsResource Create(string typeUrl, string name, IMessage message) =>
        new(typeUrl, name, message.ToByteString());
}
