using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
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
/// Only the body is kept, and the framing a response needs around it is written as the response is:
/// the <c>resources</c> entry of a DeltaDiscoveryResponse (an envoy.service.discovery.v3.Resource with
/// version, Any and name), or the <c>resources</c> entry of a state-of-the-world DiscoveryResponse (the
/// Any). The body array is the one the producer encoded (in a silo, the very array the distribution grain
/// holds), so a resource costs its body once, not once per holder.
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

    private readonly EncodedTypeUrl _typeUrl;
    private readonly byte[] _body;
    private readonly ulong _contentHash;
    private readonly int _nameLength;

    /// <summary>Takes a copy of <paramref name="body"/> only when it is a slice of a larger array.</summary>
    public XdsResource(string typeUrl, string name, ByteString body)
        : this(typeUrl, name, Owned(body))
    {
    }

    /// <summary>
    /// Takes ownership of <paramref name="body"/>, the encoded resource message: it is kept as it is, and
    /// the caller must never change it afterwards.
    /// </summary>
    public XdsResource(string typeUrl, string name, byte[] body)
    {
        ArgumentException.ThrowIfNullOrEmpty(typeUrl);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(body);
        _typeUrl = EncodedTypeUrl.Of(typeUrl);
        _body = body;
        Name = name;
        _contentHash = XxHash64.HashToUInt64(body);
        _nameLength = Encoding.UTF8.GetByteCount(name);
        Span<byte> version = stackalloc byte[ResourceFingerprint.VersionLength];
        WriteVersion(version);
        Fingerprint = FingerprintOf(name, _nameLength, version);
        AnyLength = ProtoWire.FieldSize(AnyPayload);
        DeltaResourceLength = ProtoWire.FieldSize(DeltaResourcePayload);
    }

    public string TypeUrl => _typeUrl.Value;

    public string Name { get; }

    /// <summary>
    /// Content hash of <see cref="Body"/>, as 16 lower-case hex digits. Kept as the number and made into a
    /// string on each call: compare with <see cref="HasVersion(string?)"/>, which allocates nothing.
    /// </summary>
    public string Version => _contentHash.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>The <see cref="ResourceFingerprint"/> of name and version.</summary>
    public ulong Fingerprint { get; }

    /// <summary>True when <paramref name="version"/> (as a client reports it) is this resource's <see cref="Version"/>.</summary>
    public bool HasVersion(string? version)
    {
        if (version?.Length != ResourceFingerprint.VersionLength)
        {
            return false;
        }
        Span<byte> mine = stackalloc byte[ResourceFingerprint.VersionLength];
        WriteVersion(mine);
        return Ascii.Equals(mine, version);
    }

    /// <summary>True when the UTF-8 <paramref name="version"/> is this resource's <see cref="Version"/>.</summary>
    public bool HasVersion(ReadOnlySpan<byte> version)
    {
        Span<byte> mine = stackalloc byte[ResourceFingerprint.VersionLength];
        WriteVersion(mine);
        return version.SequenceEqual(mine);
    }

    /// <summary>Same body as <paramref name="other"/> (same content hash).</summary>
    internal bool HasSameContent(XdsResource other) => _contentHash == other._contentHash;

    /// <summary>The encoded resource message (not wrapped in Any): a view of the kept array, made on each call.</summary>
    public ByteString Body => UnsafeByteOperations.UnsafeWrap(_body);

    /// <summary>
    /// Length of the resource as one <c>resources</c> entry of a DeltaDiscoveryResponse: tag, length and the
    /// encoded envoy.service.discovery.v3.Resource {version, resource (Any), name}.
    /// </summary>
    public int DeltaResourceLength { get; }

    /// <summary>Length of the resource as one <c>resources</c> entry of a DiscoveryResponse: tag, length and the encoded Any.</summary>
    public int AnyLength { get; }

    // Field by field in field-number order, as Google.Protobuf writes them; an empty body is left out.
    private int AnyPayload => ProtoWire.FieldSize(_typeUrl.Utf8.Length) + (_body.Length == 0 ? 0 : ProtoWire.FieldSize(_body.Length));

    private int DeltaResourcePayload => ProtoWire.FieldSize(ResourceFingerprint.VersionLength) + AnyLength + ProtoWire.FieldSize(_nameLength);

    /// <summary>Writes the <see cref="DeltaResourceLength"/> bytes of the DeltaDiscoveryResponse <c>resources</c> entry.</summary>
    public void WriteDeltaResource(Span<byte> destination)
    {
        var at = WriteDeltaHead(destination);
        _body.CopyTo(destination[at..]);
        at += _body.Length;
        ProtoWire.WriteString(destination[at..], ResourceNameField, Name, _nameLength);
    }

    /// <summary>Writes the <see cref="AnyLength"/> bytes of the DiscoveryResponse <c>resources</c> entry.</summary>
    public void WriteAny(Span<byte> destination)
    {
        var at = WriteAnyHead(destination, ResponseResourcesField);
        _body.CopyTo(destination[at..]);
    }

    /// <summary>Writes the DeltaDiscoveryResponse <c>resources</c> entry straight into a response.</summary>
    internal void WriteDeltaResource(ref WireWriter writer)
    {
        WriteDeltaHead(writer.Take(DeltaHeadLength));
        writer.Write(_body);
        writer.WriteString(ResourceNameField, Name, _nameLength);
    }

    /// <summary>Writes the DiscoveryResponse <c>resources</c> entry straight into a response.</summary>
    internal void WriteAny(ref WireWriter writer)
    {
        WriteAnyHead(writer.Take(AnyHeadLength), ResponseResourcesField);
        writer.Write(_body);
    }

    /// <summary>What comes before the body in the delta entry: its header, the version and the Any up to the body.</summary>
    private int DeltaHeadLength => DeltaResourceLength - _body.Length - ProtoWire.FieldSize(_nameLength);

    /// <summary>What comes before the body in the Any.</summary>
    private int AnyHeadLength => AnyLength - _body.Length;

    private int WriteDeltaHead(Span<byte> destination)
    {
        var at = ProtoWire.WriteHeader(destination, ResponseResourcesField, DeltaResourcePayload);
        at += ProtoWire.WriteHeader(destination[at..], ResourceVersionField, ResourceFingerprint.VersionLength);
        WriteVersion(destination[at..]);
        at += ResourceFingerprint.VersionLength;
        return at + WriteAnyHead(destination[at..], ResourceAnyField);
    }

    private int WriteAnyHead(Span<byte> destination, int field)
    {
        var at = ProtoWire.WriteHeader(destination, field, AnyPayload);
        at += ProtoWire.WriteHeader(destination[at..], AnyTypeUrlField, _typeUrl.Utf8.Length);
        _typeUrl.Utf8.CopyTo(destination[at..]);
        at += _typeUrl.Utf8.Length;
        if (_body.Length > 0)
        {
            at += ProtoWire.WriteHeader(destination[at..], AnyValueField, _body.Length);
        }
        return at;
    }

    private static byte[] Owned(ByteString body) =>
        MemoryMarshal.TryGetArray(body.Memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : body.ToByteArray();

    /// <summary>Writes the 16 hex digits of <see cref="Version"/>: the hash's bytes, most significant first, through the vectorized hex encoder.</summary>
    private void WriteVersion(Span<byte> destination)
    {
        Span<byte> hash = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64BigEndian(hash, _contentHash);
        Convert.TryToHexStringLower(hash, destination, out _);
    }

    private static ulong FingerprintOf(string name, int utf8Length, ReadOnlySpan<byte> version)
    {
        const int OnStack = 256;
        byte[]? rented = null;
        var utf8 = utf8Length <= OnStack ? stackalloc byte[OnStack] : (rented = ArrayPool<byte>.Shared.Rent(utf8Length));
        utf8 = utf8[..Encoding.UTF8.GetBytes(name, utf8)];
        var fingerprint = ResourceFingerprint.Of(utf8, version);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        return fingerprint;
    }

    public static XdsResource Create(string typeUrl, string name, IMessage message) =>
        new(typeUrl, name, message.ToByteArray());

    /// <summary>A type URL with its UTF-8 bytes, one per distinct type URL (there are a handful), shared by its resources.</summary>
    private sealed class EncodedTypeUrl
    {
        private static readonly ConcurrentDictionary<string, EncodedTypeUrl> Known = new(StringComparer.Ordinal);

        private EncodedTypeUrl(string value)
        {
            Value = value;
            Utf8 = Encoding.UTF8.GetBytes(value);
        }

        public string Value { get; }

        public byte[] Utf8 { get; }

        public static EncodedTypeUrl Of(string typeUrl) => Known.GetOrAdd(typeUrl, static t => new EncodedTypeUrl(t));
    }
}
