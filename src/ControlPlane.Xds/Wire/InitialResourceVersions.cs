using System.Runtime.CompilerServices;
using System.Text;
using ControlPlane.Xds.Resources;
using Google.Protobuf;

namespace ControlPlane.Xds.Wire;

/// <summary>
/// The <c>initial_resource_versions</c> map of a DeltaDiscoveryRequest, left as it came off the wire: a
/// reconnecting ztunnel reports every resource it holds, and decoding each name and version into strings
/// would cost more than comparing them. Entries are read in place, in wire order; a key may repeat (the
/// map's last entry for it wins). Checked well-formed when created, and summed up then as a set
/// fingerprint, so that "the client holds exactly this table" takes no lookup at all.
/// </summary>
internal sealed class InitialResourceVersions
{
    /// <summary>DeltaDiscoveryRequest.initial_resource_versions.</summary>
    public const int Field = 5;
    private const int KeyField = 1;
    private const int ValueField = 2;
    // Field 1, length-delimited.
    private const byte KeyTag = 0x0A;

    public static readonly InitialResourceVersions Empty = new([], 0, 0);

    private readonly byte[] _request;

    /// <param name="request">The encoded request; only its <see cref="Field"/> entries are read.</param>
    /// <param name="count">How many entries it has.</param>
    /// <param name="fingerprint">See <see cref="Fingerprint"/>.</param>
    private InitialResourceVersions(byte[] request, int count, ulong? fingerprint)
    {
        _request = request;
        Count = count;
        Fingerprint = fingerprint;
    }

    /// <summary>Entries on the wire, repeated keys included.</summary>
    public int Count { get; }

    /// <summary>
    /// Sum of the <see cref="XdsResource.Fingerprint"/>s the entries would have as resources of that name and
    /// version, comparable with a table snapshot's; null when a version is not one of ours (an empty one,
    /// for instance), so no table can match.
    /// </summary>
    public ulong? Fingerprint { get; }

    /// <summary>
    /// Checks every map entry of <paramref name="request"/> and merges every other field into
    /// <paramref name="rest"/>, run by run in wire order, which reads them as a parse of the whole request
    /// would. Throws <see cref="FormatException"/> on a malformed entry or field.
    /// </summary>
    /// <remarks>
    /// Optimized from the first call: this loop runs once per reconnect over every resource a proxy holds,
    /// and a restarted control plane meets every proxy's reconnect before tiered compilation has caught up.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static InitialResourceVersions Over(byte[] request, IMessage? rest)
    {
        var count = 0;
        ulong fingerprint = 0;
        var hashed = true;
        var runStart = 0;
        var reader = new ProtoReader(request);
        while (!reader.End)
        {
            var fieldStart = reader.Position;
            var tag = reader.ReadTag();
            if (!IsEntry(tag))
            {
                reader.Skip(tag);
                continue;
            }
            var entry = reader.ReadLengthDelimited();
            if (fieldStart > runStart)
            {
                rest?.MergeFrom(request.AsSpan(runStart, fieldStart - runStart));
            }
            runStart = reader.Position;
            count++;
            if (!hashed)
            {
                ReadEntry(entry, out _, out _);
            }
            else if (TryReadUsual(entry, out var tail))
            {
                hashed = ResourceFingerprint.IsVersion(tail[^ResourceFingerprint.VersionLength..]);
                fingerprint = unchecked(fingerprint + ResourceFingerprint.OfJoined(tail));
            }
            else
            {
                ReadEntry(entry, out var name, out var version);
                hashed = ResourceFingerprint.IsVersion(version);
                fingerprint = hashed ? unchecked(fingerprint + ResourceFingerprint.Of(name, version)) : 0;
            }
        }
        if (request.Length > runStart)
        {
            rest?.MergeFrom(request.AsSpan(runStart));
        }
        return count == 0 ? Empty : new InitialResourceVersions(request, count, hashed ? fingerprint : null);
    }

    /// <summary>True for the tag of a map entry (a field 5 of another wire type is an unknown field, as in Google.Protobuf).</summary>
    private static bool IsEntry(uint tag) =>
        ProtoReader.FieldOf(tag) == Field && ProtoReader.WireTypeOf(tag) == ProtoReader.LengthDelimited;

    public Enumerator GetEnumerator() => new(_request);

    /// <summary>Name → version as strings, the last entry of a repeated key winning.</summary>
    public Dictionary<string, string> ToDictionary()
    {
        var result = new Dictionary<string, string>(Count, StringComparer.Ordinal);
        foreach (var entry in this)
        {
            result[entry.NameString()] = entry.VersionString();
        }
        return result;
    }

    /// <summary>
    /// An entry as encoders write it: the key (tag, one-byte length, name), then the value of a version's
    /// length. <paramref name="tail"/>: the name through the end of the version, as <see cref="ResourceFingerprint"/> hashes it.
    /// </summary>
    private static bool TryReadUsual(ReadOnlySpan<byte> entry, out ReadOnlySpan<byte> tail)
    {
        const int Overhead = 2 + ResourceFingerprint.SeparatorLength + ResourceFingerprint.VersionLength;
        if (entry.Length > Overhead && entry[0] == KeyTag && entry[1] < 0x80 && entry[1] == entry.Length - Overhead
            && entry[^(ResourceFingerprint.SeparatorLength + ResourceFingerprint.VersionLength)] == ResourceFingerprint.ValueTag
            && entry[^(ResourceFingerprint.SeparatorLength + ResourceFingerprint.VersionLength - 1)] == ResourceFingerprint.VersionLength)
        {
            tail = entry[2..];
            return true;
        }
        tail = default;
        return false;
    }

    private static void ReadEntry(ReadOnlySpan<byte> entry, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> version)
    {
        if (TryReadUsual(entry, out var tail))
        {
            name = tail[..^(ResourceFingerprint.SeparatorLength + ResourceFingerprint.VersionLength)];
            version = tail[^ResourceFingerprint.VersionLength..];
            return;
        }
        // Missing key or value means empty; unknown fields are skipped; a repeated field's last value wins.
        name = default;
        version = default;
        var reader = new ProtoReader(entry);
        while (!reader.End)
        {
            var tag = reader.ReadTag();
            if (ProtoReader.WireTypeOf(tag) != ProtoReader.LengthDelimited)
            {
                reader.Skip(tag);
            }
            else if (ProtoReader.FieldOf(tag) == KeyField)
            {
                name = reader.ReadLengthDelimited();
            }
            else if (ProtoReader.FieldOf(tag) == ValueField)
            {
                version = reader.ReadLengthDelimited();
            }
            else
            {
                reader.Skip(tag);
            }
        }
    }

    /// <summary>One map entry: UTF-8 name and version, as sent.</summary>
    public readonly ref struct Entry(ReadOnlySpan<byte> name, ReadOnlySpan<byte> version)
    {
        public ReadOnlySpan<byte> Name { get; } = name;

        public ReadOnlySpan<byte> Version { get; } = version;

        // Invalid UTF-8 becomes U+FFFD, as Google.Protobuf decodes strings.
        public string NameString() => Encoding.UTF8.GetString(Name);

        public string VersionString() => Encoding.UTF8.GetString(Version);

        /// <summary>The name as characters, in <paramref name="scratch"/> when it fits.</summary>
        public ReadOnlySpan<char> NameChars(Span<char> scratch)
        {
            if (Encoding.UTF8.GetMaxCharCount(Name.Length) > scratch.Length)
            {
                return NameString();
            }
            return scratch[..Encoding.UTF8.GetChars(Name, scratch)];
        }
    }

    /// <summary>Walks the request again (already checked), yielding the map entries.</summary>
    public ref struct Enumerator(byte[] request)
    {
        private ProtoReader _reader = new(request);
        private ReadOnlySpan<byte> _name;
        private ReadOnlySpan<byte> _version;

        public readonly Entry Current => new(_name, _version);

        public bool MoveNext()
        {
            while (!_reader.End)
            {
                var tag = _reader.ReadTag();
                if (IsEntry(tag))
                {
                    ReadEntry(_reader.ReadLengthDelimited(), out _name, out _version);
                    return true;
                }
                _reader.Skip(tag);
            }
            return false;
        }
    }
}
