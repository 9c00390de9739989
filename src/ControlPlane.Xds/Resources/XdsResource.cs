using System.IO.Hashing;
using System.Text;
using ControlPlane.Xds.Wire;
using Google.Protobuf;

namespace ControlPlane.Xds.Resources;

/// <summary>
/// One named resource, encoded once. The version is a content hash (XxHash64 of the encoded bytes,
/// lower-case hex), so it is stable across restarts and replicas and a reconnecting proxy is sent only
/// what differs.
/// </summary>
/// <remarks>
/// The resource is kept as the exact bytes it takes on the wire: one buffer holding the
/// <c>resources</c> entry of a DeltaDiscoveryResponse (an envoy.service.discovery.v3.Resource with
/// version, Any and name), whose middle is the <c>resources</c> entry of a state-of-the-world
/// DiscoveryResponse (the Any), whose end is the body. Every stream writes these bytes as they are.
/// </remarks>
public sealed class XdsResource
{
    // DeltaDiscoveryResponse.resources and DiscoveryResponse.resources are both field 2.
    private const int ResponseResourcesField = 2;
    private const int ResourceVersionField = 1;
    private const int ResourceAnyField = 2;
    private const int ResourceNameField = 3;
    private const int AnyTypeUrlField = 1;
    private const int AnyValueField = 2;

    private readonly byte[] _wire;
    private readonly int _anyStart;
    private readonly int _anyLength;
    private readonly int _bodyStart;

    public XdsResource(string typeUrl, string name, ByteString body)
    {
        ArgumentException.ThrowIfNullOrEmpty(typeUrl);
        ArgumentException.ThrowIfNullOrEmpty(name);
        TypeUrl = typeUrl;
        Name = name;
        var hash = XxHash64.HashToUInt64(body.Span);
        Version = hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
        Fingerprint = FingerprintOf(Encoding.UTF8.GetBytes(name), hash);

        var typeUrlBytes = Encoding.UTF8.GetByteCount(typeUrl);
        var nameBytes = Encoding.UTF8.GetByteCount(name);
        // Field by field in field-number order, as Google.Protobuf writes them; an empty body is left out.
        var anyPayload = ProtoWire.FieldSize(typeUrlBytes) + (body.Length == 0 ? 0 : ProtoWire.FieldSize(body.Length));
        var resourcePayload = ProtoWire.FieldSize(Version.Length) + ProtoWire.FieldSize(anyPayload) + ProtoWire.FieldSize(nameBytes);
        _wire = new byte[ProtoWire.FieldSize(resourcePayload)];
        var span = _wire.AsSpan();
        var at = ProtoWire.WriteHeader(span, ResponseResourcesField, resourcePayload);
        at += ProtoWire.WriteString(span[at..], ResourceVersionField, Version);
        _anyStart = at;
        at += ProtoWire.WriteHeader(span[at..], ResourceAnyField, anyPayload);
        at += ProtoWire.WriteString(span[at..], AnyTypeUrlField, typeUrl);
        if (body.Length > 0)
        {
            at += ProtoWire.WriteHeader(span[at..], AnyValueField, body.Length);
        }
        _bodyStart = at;
        body.Span.CopyTo(span[at..]);
        at += body.Length;
        _anyLength = at - _anyStart;
        at += ProtoWire.WriteString(span[at..], ResourceNameField, name);
        Body = UnsafeByteOperations.UnsafeWrap(_wire.AsMemory(_bodyStart, body.Length));
        if (at != _wire.Length)
        {
            throw new InvalidOperationException($"encoded {at} bytes of resource {name}, expected {_wire.Length}");
        }
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

    /// <summary>
    /// The resource as one <c>resources</c> entry of a DeltaDiscoveryResponse: tag, length and the
    /// encoded envoy.service.discovery.v3.Resource {version, resource (Any), name}.
    /// </summary>
    public ReadOnlySpan<byte> EncodedDeltaResource => _wire;

    /// <summary>The resource as one <c>resources</c> entry of a DiscoveryResponse: tag, length and the encoded Any.</summary>
    public ReadOnlySpan<byte> EncodedAny => _wire.AsSpan(_anyStart, _anyLength);

    /// <summary>The <see cref="Fingerprint"/> of a resource named <paramref name="utf8Name"/> whose body hashes to <paramref name="contentHash"/>.</summary>
    internal static ulong FingerprintOf(ReadOnlySpan<byte> utf8Name, ulong contentHash) =>
        unchecked(XxHash64.HashToUInt64(utf8Name) ^ (contentHash * 0x9E3779B97F4A7C15UL));

    /// <summary>Reads a <see cref="Version"/> (16 lower-case hex digits) back into the content hash; false for anything else.</summary>
    internal static bool TryParseVersion(ReadOnlySpan<byte> version, out ulong contentHash)
    {
        contentHash = 0;
        if (version.Length != 16)
        {
            return false;
        }
        // Without a branch per digit: a reconnect reads one version per resource it holds.
        var invalid = 0;
        var digits = HexDigits;
        foreach (var c in version)
        {
            var digit = digits[c];
            invalid |= digit;
            contentHash = (contentHash << 4) | (uint)(digit & 0xF);
        }
        return invalid < 0x10;
    }

    /// <summary>The value of each lower-case hex digit; 0xFF for every other byte.</summary>
    private static ReadOnlySpan<byte> HexDigits =>
    [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 10, 11, 12, 13, 14, 15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    ];

    public static XdsResource Create(string typeUrl, string name, IMessage message) =>
        new(typeUrl, name, message.ToByteString());
}
