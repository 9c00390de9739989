using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;

namespace ControlPlane.Ambient.Builders;

/// <summary>
/// IP text as Go's <c>netip</c> parses it (strict: dotted-quad IPv4 without leading zeros, or IPv6), and
/// raw IP bytes as ztunnel wants them: exactly 4 bytes for IPv4 and 16 for IPv6.
/// </summary>
/// <remarks>.NET's parser alone is too lenient: it reads "10" as 0.0.0.10 and "1.2.3" as 1.2.0.3.</remarks>
public static class IpBytes
{
    public static bool TryParseAddress(string? text, [NotNullWhen(true)] out IPAddress? ip)
    {
        ip = null;
        if (string.IsNullOrEmpty(text) || text.Length > 64 || text.Contains('[', StringComparison.Ordinal))
        {
            return false;
        }
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(text, out ip) && ip.AddressFamily == AddressFamily.InterNetworkV6;
        }
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }
        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0') ||
                !int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var octet) || octet > 255)
            {
                return false;
            }
        }
        return IPAddress.TryParse(text, out ip);
    }

    public static bool TryParse(string? text, [NotNullWhen(true)] out ByteString? bytes)
    {
        bytes = null;
        if (!TryParseAddress(text, out var ip))
        {
            return false;
        }
        // A v4-mapped v6 address stays 16 bytes (as written), never silently becomes v4.
        bytes = ByteString.CopyFrom(ip.GetAddressBytes());
        return true;
    }

    /// <summary>
    /// An IP or a CIDR: the address bytes and the prefix length (the full length for a bare IP).
    /// With <paramref name="mask"/> the host bits are cleared (10.0.0.5/24 → 10.0.0.0/24).
    /// </summary>
    public static bool TryParsePrefix(string? text, bool mask, [NotNullWhen(true)] out ByteString? bytes, out uint length)
    {
        bytes = null;
        length = 0;
        if (text is null)
        {
            return false;
        }
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (!TryParseAddress(slash < 0 ? text : text[..slash], out var ip))
        {
            return false;
        }
        var raw = ip.GetAddressBytes();
        var max = (uint)raw.Length * 8;
        length = max;
        if (slash >= 0)
        {
            var bits = text[(slash + 1)..];
            if (bits.Length is 0 or > 3 || (bits.Length > 1 && bits[0] == '0') ||
                !uint.TryParse(bits, NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > max)
            {
                return false;
            }
        }
        if (mask)
        {
            for (var i = 0; i < raw.Length; i++)
            {
                var keep = (int)Math.Clamp((long)length - i * 8, 0, 8);
                raw[i] &= (byte)(0xFF << (8 - keep));
            }
        }
        bytes = ByteString.CopyFrom(raw);
        return true;
    }
}
