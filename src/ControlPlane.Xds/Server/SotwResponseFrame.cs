using System.Buffers;
using ControlPlane.Xds.Resources;
using ControlPlane.Xds.Wire;

namespace ControlPlane.Xds.Server;

/// <summary>
/// A state-of-the-world DiscoveryResponse as the server writes it: the encoded body of every resource is
/// copied to the wire inside an Any written around it. The bytes are exactly those Google.Protobuf writes for the same message.
/// </summary>
public sealed class SotwResponseFrame
{
    private const int VersionInfoField = 1;
    private const int TypeUrlField = 4;
    private const int NonceField = 5;

    private readonly long _resourceBytes;

    /// <param name="resourceBytes">Sum of the resources' encoded lengths when the caller already knows it, else <see cref="DeltaResponseFrame.Unknown"/>.</param>
    internal SotwResponseFrame(string typeUrl, string versionInfo, string nonce, IReadOnlyList<XdsResource> resources, long resourceBytes = DeltaResponseFrame.Unknown)
    {
        TypeUrl = typeUrl;
        VersionInfo = versionInfo;
        Nonce = nonce;
        Resources = resources;
        _resourceBytes = resourceBytes;
    }

    public string TypeUrl { get; }

    public string VersionInfo { get; }

    public string Nonce { get; }

    public IReadOnlyList<XdsResource> Resources { get; }

    internal int CalculateSize()
    {
        var size = ProtoWire.StringFieldSize(VersionInfo) + _resourceBytes;
        if (_resourceBytes == DeltaResponseFrame.Unknown)
        {
            size = ProtoWire.StringFieldSize(VersionInfo);
            for (var i = 0; i < Resources.Count; i++)
            {
                size += Resources[i].AnyLength;
            }
        }
        size += ProtoWire.StringFieldSize(TypeUrl) + ProtoWire.StringFieldSize(Nonce) + ControlPlaneIdentity.EncodedSotwField.Length;
        return checked((int)size);
    }

    /// <summary>Writes the fields in field-number order, as Google.Protobuf does.</summary>
    internal void WriteTo(IBufferWriter<byte> output)
    {
        var writer = new WireWriter(output);
        writer.WriteString(VersionInfoField, VersionInfo);
        for (var i = 0; i < Resources.Count; i++)
        {
            Resources[i].WriteAny(ref writer);
        }
        writer.WriteString(TypeUrlField, TypeUrl);
        writer.WriteString(NonceField, Nonce);
        writer.Write(ControlPlaneIdentity.EncodedSotwField);
        writer.Flush();
    }
}
