using System.Buffers;
using System.IO.Hashing;
using System.Runtime.Intrinsics;

namespace ControlPlane.Xds.Wire;

/// <summary>
/// A 64-bit hash of a resource's name and version. Summed over a set it is an order-independent version
/// of the set: the state-of-the-world <c>version_info</c>, and what tells a reconnecting client's
/// <c>initial_resource_versions</c> equal to a table without looking a single name up.
/// </summary>
/// <remarks>
/// It hashes the UTF-8 name, the two bytes 0x12 0x10 and the 16-byte version: exactly the bytes that follow
/// the key's length in a map entry as protobuf encoders write it (key, then a value field of 16 bytes), so
/// a reconnect's entries are hashed where they lie. The version's fixed length keeps the split unambiguous.
/// </remarks>
internal static class ResourceFingerprint
{
    /// <summary>Length of a version: 16 lower-case hex digits of a 64-bit content hash.</summary>
    public const int VersionLength = 16;

    /// <summary>Bytes between the name and the version: the value's tag (field 2, length-delimited) and length.</summary>
    public const int SeparatorLength = 2;

    public const byte ValueTag = 0x12;

    private const int OnStack = 256;

    /// <summary>The fingerprint of UTF-8 <paramref name="name"/> at <paramref name="version"/> (a <see cref="IsVersion"/>).</summary>
    public static ulong Of(ReadOnlySpan<byte> name, ReadOnlySpan<byte> version)
    {
        var length = name.Length + SeparatorLength + VersionLength;
        byte[]? rented = null;
        var joined = length <= OnStack ? stackalloc byte[OnStack] : (rented = ArrayPool<byte>.Shared.Rent(length));
        name.CopyTo(joined);
        joined[name.Length] = ValueTag;
        joined[name.Length + 1] = VersionLength;
        version.CopyTo(joined[(name.Length + SeparatorLength)..]);
        var fingerprint = OfJoined(joined[..length]);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        return fingerprint;
    }

    /// <summary>The fingerprint of name, separator and version already side by side (the tail of a map entry).</summary>
    public static ulong OfJoined(ReadOnlySpan<byte> joined) => XxHash3.HashToUInt64(joined);

    /// <summary>True for 16 lower-case hex digits, the only form a version of ours takes.</summary>
    public static bool IsVersion(ReadOnlySpan<byte> version)
    {
        if (version.Length != VersionLength)
        {
            return false;
        }
        // One compare for all 16 bytes: a reconnect checks one version per resource it holds.
        var bytes = Vector128.Create(version);
        var digit = Vector128.LessThan(bytes - Vector128.Create((byte)'0'), Vector128.Create((byte)10));
        var letter = Vector128.LessThan(bytes - Vector128.Create((byte)'a'), Vector128.Create((byte)6));
        return (digit | letter) == Vector128<byte>.AllBitsSet;
    }
}
