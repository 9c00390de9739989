using System.Numerics;
using System.Text;

namespace ControlPlane.Xds.Wire;

/// <summary>
/// The few pieces of the protobuf wire format the server writes by hand: length-delimited fields with
/// one-byte tags (field numbers 1 to 15), so pre-encoded resources can be concatenated into responses.
/// </summary>
internal static class ProtoWire
{
    private const int LengthDelimited = 2;

    /// <summary>The one-byte tag of a length-delimited field.</summary>
    public static byte Tag(int field) => (byte)((field << 3) | LengthDelimited);

    public static int VarintSize(uint value) => ((31 - BitOperations.LeadingZeroCount(value | 1)) / 7) + 1;

    /// <summary>Size of a whole length-delimited field (tag, length, payload) with a payload of <paramref name="length"/> bytes.</summary>
    public static int FieldSize(int length) => 1 + VarintSize((uint)length) + length;

    /// <summary>Size of a string field, or 0 for an empty string (proto3 leaves defaults out).</summary>
    public static int StringFieldSize(string value) => value.Length == 0 ? 0 : FieldSize(Encoding.UTF8.GetByteCount(value));

    public static int WriteVarint(Span<byte> destination, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Writes tag and length; the caller writes the <paramref name="length"/> payload bytes next.</summary>
    public static int WriteHeader(Span<byte> destination, int field, int length)
    {
        destination[0] = Tag(field);
        return 1 + WriteVarint(destination[1..], (uint)length);
    }

    /// <summary>Writes a string field into a span; returns the bytes written.</summary>
    public static int WriteString(Span<byte> destination, int field, string value)
    {
        if (value.Length == 0)
        {
            return 0;
        }
        return WriteString(destination, field, value, Encoding.UTF8.GetByteCount(value));
    }

    /// <summary>Writes a non-empty string field whose UTF-8 length is already known; returns the bytes written.</summary>
    public static int WriteString(Span<byte> destination, int field, string value, int utf8Length)
    {
        var written = WriteHeader(destination, field, utf8Length);
        return written + Encoding.UTF8.GetBytes(value, destination[written..]);
    }
}
