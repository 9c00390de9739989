namespace ControlPlane.Xds.Wire;

/// <summary>
/// Walks the protobuf wire format field by field without decoding values, so a large request can be
/// split and checked in place. Every malformed input (truncated field, bad tag or wire type, unbalanced
/// group) is reported as <see cref="FormatException"/>.
/// </summary>
internal ref struct ProtoReader(ReadOnlySpan<byte> buffer)
{
    public const int LengthDelimited = 2;
    private const int Varint = 0;
    private const int Fixed64 = 1;
    private const int StartGroup = 3;
    private const int EndGroup = 4;
    private const int Fixed32 = 5;
    // Google.Protobuf's default recursion limit, which also bounds groups.
    private const int MaxGroupDepth = 100;

    private readonly ReadOnlySpan<byte> _buffer = buffer;

    public int Position { get; private set; }

    public readonly bool End => Position >= _buffer.Length;

    public static int FieldOf(uint tag) => (int)(tag >> 3);

    public static int WireTypeOf(uint tag) => (int)(tag & 7);

    /// <summary>Reads a field's tag; field number 0 is invalid, as in Google.Protobuf.</summary>
    public uint ReadTag()
    {
        var tag = ReadVarint();
        if (tag > uint.MaxValue || FieldOf((uint)tag) == 0)
        {
            throw new FormatException($"invalid tag at byte {Position}");
        }
        return (uint)tag;
    }

    /// <summary>Reads the payload of a length-delimited field whose tag was just read.</summary>
    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > (ulong)(_buffer.Length - Position))
        {
            throw new FormatException($"length-delimited field of {length} bytes at byte {Position} runs past the end");
        }
        var payload = _buffer.Slice(Position, (int)length);
        Position += (int)length;
        return payload;
    }

    /// <summary>Skips the value of a field whose tag was just read.</summary>
    public void Skip(uint tag)
    {
        switch (WireTypeOf(tag))
        {
            case Varint:
                ReadVarint();
                break;
            case Fixed64:
                Advance(8);
                break;
            case LengthDelimited:
                ReadLengthDelimited();
                break;
            case Fixed32:
                Advance(4);
                break;
            case StartGroup:
                SkipGroup(FieldOf(tag));
                break;
            default:
                throw new FormatException($"unexpected wire type {WireTypeOf(tag)} at byte {Position}");
        }
    }

    private void SkipGroup(int field)
    {
        // Open groups by field number; only a matching end tag closes the innermost one.
        Span<int> open = stackalloc int[MaxGroupDepth];
        var depth = 0;
        open[depth++] = field;
        while (depth > 0)
        {
            var tag = ReadTag();
            if (WireTypeOf(tag) == EndGroup)
            {
                if (FieldOf(tag) != open[--depth])
                {
                    throw new FormatException($"mismatched end of group at byte {Position}");
                }
            }
            else if (WireTypeOf(tag) == StartGroup)
            {
                if (depth == MaxGroupDepth)
                {
                    throw new FormatException("groups nested too deeply");
                }
                open[depth++] = FieldOf(tag);
            }
            else
            {
                Skip(tag);
            }
        }
    }

    private ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (Position >= _buffer.Length)
            {
                throw new FormatException("truncated varint");
            }
            var b = _buffer[Position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
        throw new FormatException($"varint longer than 10 bytes at byte {Position}");
    }

    private void Advance(int count)
    {
        if (count > _buffer.Length - Position)
        {
            throw new FormatException($"fixed-size field at byte {Position} runs past the end");
        }
        Position += count;
    }
}
