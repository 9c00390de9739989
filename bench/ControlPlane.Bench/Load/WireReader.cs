namespace ControlPlane.Bench.Load;

/// <summary>
/// Just enough of the protobuf wire format to walk a message's top-level fields without decoding
/// them: the load tool reads names and versions and skips resource bodies.
/// </summary>
public ref struct WireReader(ReadOnlySpan<byte> buffer)
{
    private readonly ReadOnlySpan<byte> _buffer = buffer;
    private int _position;

    public readonly bool End => _position >= _buffer.Length;

    public readonly int Position => _position;

    /// <summary>Reads the next field's number and wire type.</summary>
    public (int Field, int WireType) ReadTag()
    {
        var tag = ReadVarint();
        return ((int)(tag >> 3), (int)(tag & 7));
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = _buffer[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
        throw new InvalidDataException("malformed varint");
    }

    /// <summary>Reads a length-delimited field's payload.</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = checked((int)ReadVarint());
        var bytes = _buffer.Slice(_position, length);
        _position += length;
        return bytes;
    }

    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case 0:
                ReadVarint();
                break;
            case 1:
                _position += 8;
                break;
            case 2:
                ReadBytes();
                break;
            case 5:
                _position += 4;
                break;
            default:
                throw new InvalidDataException($"unsupported wire type {wireType}");
        }
    }
}
