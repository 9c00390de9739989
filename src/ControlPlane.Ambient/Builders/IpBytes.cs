using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;

namespace ControlPlane.Ambient.Builders;

/// <summary>Raw IP bytes as ztunnel wants them: exactly 4 bytes for IPv4 and 16 for IPv6.</summary>
public static class IpBytes
{
    public static bool TryParse(string text, [NotNullWhen(true)] out ByteString? bytes)
    {
        bytes = null;
        if (!IPAddress.TryParse(text, out var ip))
        {
            return false;
        }
        // A v4-mapped v6 address stays 16 bytes (as written), never silently becomes v4.
        if (ip.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return false;
        }
        bytes = ByteString.CopyFrom(ip.GetAddressBytes());
        return true;
    }
}
