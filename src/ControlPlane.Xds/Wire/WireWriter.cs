using System.Buffers;
using System.Text;

namespace ControlPlane.Xds.Wire;

/// <summary>
/// Fills the spans of an output buffer (a response pipe) and advances it once per span rather than once
/// per field: a response of 100,000 pre-encoded resources costs fewer pipe operations than one blob of
/// the same size written by Google.Protobuf, as spans are asked for in large pieces.
/// </summary>
/// <param name="output">Where the bytes go.</param>
/// <param name="size">How many bytes will be written in all (spans are asked for up to that size).</param>
internal ref struct WireWriter(IBufferWriter<byte> output, int size)
{
    // Large enough that a big response takes a few hundred spans, small enough to stay in ArrayPool's range.
    private const int LargeSpan = 64 * 1024;

    private readonly IBufferWriter<byte> _output = output;
    private Span<byte> _span;
    private int _used;
    private int _left = size;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _span.Length - _used)
        {
            // Fill what is left, then continue in fresh spans (a resource may be larger than one).
            var head = _span.Length - _used;
            bytes[..head].CopyTo(_span[_used..]);
            _used += head;
            bytes = bytes[head..];
            Next(bytes.Length);
        }
        bytes.CopyTo(_span[_used..]);
        _used += bytes.Length;
    }

    /// <summary>Writes a string field (one-byte tag); nothing for an empty string.</summary>
    public void WriteString(int field, string value)
    {
        if (value.Length == 0)
        {
            return;
        }
        WriteString(field, value, Encoding.UTF8.GetByteCount(value));
    }

    /// <summary>Writes a non-empty string field whose UTF-8 length is already known.</summary>
    public void WriteString(int field, string value, int utf8Length) =>
        ProtoWire.WriteString(Take(ProtoWire.FieldSize(utf8Length)), field, value, utf8Length);

    /// <summary>The next <paramref name="size"/> bytes, in one piece, counted as written: the caller fills them all.</summary>
    public Span<byte> Take(int size)
    {
        if (size > _span.Length - _used)
        {
            Next(size);
        }
        var taken = _span.Slice(_used, size);
        _used += size;
        return taken;
    }

    /// <summary>Hands everything written so far to the output.</summary>
    public void Flush()
    {
        if (_used > 0)
        {
            _output.Advance(_used);
            _left -= _used;
        }
        _span = default;
        _used = 0;
    }

    private void Next(int atLeast)
    {
        Flush();
        _span = _output.GetSpan(Math.Max(atLeast, Math.Min(_left, LargeSpan)));
    }
}
