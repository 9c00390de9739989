using Google.Protobuf;

namespace ControlPlane.Xds.Server;

/// <summary>
/// The <c>control_plane</c> field every response carries (istiod fills it too; clients log it), encoded once.
/// </summary>
internal static class ControlPlaneIdentity
{
    public const string Identifier = "controlplane";

    /// <summary>DeltaDiscoveryResponse.control_plane (field 7).</summary>
    public static readonly byte[] EncodedDeltaField = Encode(7);

    /// <summary>DiscoveryResponse.control_plane (field 6).</summary>
    public static readonly byte[] EncodedSotwField = Encode(6);

    private static byte[] Encode(int field)
    {
        var message = new Envoy.Config.Core.V3.ControlPlane { Identifier = Identifier };
        var payload = message.ToByteArray();
        var encoded = new byte[Wire.ProtoWire.FieldSize(payload.Length)];
        var at = Wire.ProtoWire.WriteHeader(encoded, field, payload.Length);
        payload.CopyTo(encoded.AsSpan(at));
        return encoded;
    }
}
