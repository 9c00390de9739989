using System.Globalization;
using System.Net;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace ControlPlane.Testing;

/// <summary>
/// A readable, stable text form of protobuf messages for golden files: protobuf text-format style,
/// default values omitted, map entries sorted, and 4- or 16-byte fields shown as IP addresses.
/// </summary>
public static class ProtoText
{
    public static string Format(IMessage message)
    {
        var text = new StringBuilder();
        WriteFields(text, message, 0);
        return text.ToString();
    }

    private static void WriteFields(StringBuilder text, IMessage message, int depth)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (field.IsMap)
            {
                var entries = new List<(string Key, object? Value)>();
                foreach (System.Collections.DictionaryEntry entry in (System.Collections.IDictionary)value)
                {
                    entries.Add((Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty, entry.Value));
                }
                foreach (var (key, entryValue) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    Indent(text, depth).Append(field.Name).Append(" {\n");
                    Indent(text, depth + 1).Append("key: ").Append(Quote(key)).Append('\n');
                    WriteValue(text, field.MessageType.FindFieldByNumber(2), "value", entryValue, depth + 1);
                    Indent(text, depth).Append("}\n");
                }
            }
            else if (field.IsRepeated)
            {
                foreach (var item in (System.Collections.IEnumerable)value)
                {
                    WriteValue(text, field, field.Name, item, depth);
                }
            }
            else if (IsSet(field, message, value))
            {
                WriteValue(text, field, field.Name, value, depth);
            }
        }
    }

    private static bool IsSet(FieldDescriptor field, IMessage message, object? value)
    {
        if (field.HasPresence)
        {
            return field.Accessor.HasValue(message);
        }
        return value switch
        {
            null => false,
            string s => s.Length > 0,
            ByteString b => b.Length > 0,
            bool b => b,
            Enum e => Convert.ToInt32(e, CultureInfo.InvariantCulture) != 0,
            int or uint or long or ulong or float or double => Convert.ToDouble(value, CultureInfo.InvariantCulture) != 0,
            _ => true,
        };
    }

    private static void WriteValue(StringBuilder text, FieldDescriptor field, string name, object? value, int depth)
    {
        if (value is IMessage nested)
        {
            Indent(text, depth).Append(name).Append(" {\n");
            WriteFields(text, nested, depth + 1);
            Indent(text, depth).Append("}\n");
            return;
        }
        Indent(text, depth).Append(name).Append(": ").Append(Scalar(field, value)).Append('\n');
    }

    private static string Scalar(FieldDescriptor field, object? value) => value switch
    {
        string s => Quote(s),
        ByteString b when b.Length is 4 or 16 => new IPAddress(b.Span).ToString(),
        ByteString b => Convert.ToBase64String(b.Span),
        bool b => b ? "true" : "false",
        Enum e => field.FieldType == FieldType.Enum
            ? field.EnumType.FindValueByNumber(Convert.ToInt32(e, CultureInfo.InvariantCulture))?.Name ?? e.ToString()
            : e.ToString(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "null",
    };

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static StringBuilder Indent(StringBuilder text, int depth) => text.Append(' ', depth * 2);
}
