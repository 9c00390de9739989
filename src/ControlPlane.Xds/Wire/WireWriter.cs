using System.Buffers;
using System.Text;

namespace ControlPlane.Xds.Wire;

/// <summary>
/// Fills the spans of an output buffer (a response pipe) and advances it once per span rather than once
/// per field. Spans are asked for at the size the output gives by default: a response pipe hands out the
/// blocks of its memory pool, used again from one response to the next, where asking for more than a
/// block gets a fresh array each time (a 40 MB response allocated 36 MB that way).
/// </summary>
/// <param name="output">Where the bytes go.</param>
internal ref struct WireWriter(IBufferWriter<byte> output)
{
    private readonly IBufferWriter<byte> _output = output;
    private Span<byte> _span;
    private int _used;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > _span.Length - _used)
        {
            // Fill what is left and go on in the next span (a resource may be larger than one).
            var head = _span.Length - _used;
            bytes[..head].CopyTo(_span[_used..]);
            _used += head;
            bytes = bytes[head..];
            Next(1);
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
        }
        _span = default;
        _used = 0;
    }

    private void Next(int atLeast)
    {
        Flush();
        _span = _output.GetSpan(atLeast);
    }
}
