using System.Buffers;
using ControlPlane.Xds.Resources;
using ControlPlane.Xds.Wire;

namespace ControlPlane.Xds.Server;

/// <summary>
/// A DeltaDiscoveryResponse as the server writes it: each resource's encoded body is copied to the wire
/// with its framing written around it, so no stream re-serializes a resource. The bytes are exactly those Google.Protobuf
/// writes for the same message, so every client decodes them unchanged.
/// </summary>
public sealed class DeltaResponseFrame
{
    private const int SystemVersionInfoField = 1;
    private const int TypeUrlField = 4;
    private const int NonceField = 5;
    private const int RemovedResourcesField = 6;

    /// <summary>Passed as the resources' size when it is not known in advance.</summary>
    internal const long Unknown = -1;

    private readonly long _resourceBytes;

    /// <param name="resourceBytes">
    /// Sum of the resources' encoded lengths when the caller already knows it (a shared snapshot or change), else <see cref="Unknown"/>.
    /// </param>
    internal DeltaResponseFrame(
        string typeUrl, string nonce, string systemVersionInfo, IReadOnlyList<XdsResource> resources, IReadOnlyList<string> removedResources,
        long resourceBytes = Unknown)
    {
        TypeUrl = typeUrl;
        Nonce = nonce;
        SystemVersionInfo = systemVersionInfo;
        Resources = resources;
        RemovedResources = removedResources;
        _resourceBytes = resourceBytes;
    }

    public string TypeUrl { get; }

    public string Nonce { get; }

    public string SystemVersionInfo { get; }

    public IReadOnlyList<XdsResource> Resources { get; }

    public IReadOnlyList<string> RemovedResources { get; }

    internal int CalculateSize()
    {
        var size = ProtoWire.StringFieldSize(SystemVersionInfo) + _resourceBytes;
        if (_resourceBytes == Unknown)
        {
            size = ProtoWire.StringFieldSize(SystemVersionInfo);
            for (var i = 0; i < Resources.Count; i++)
            {
                size += Resources[i].DeltaResourceLength;
            }
        }
        size += ProtoWire.StringFieldSize(TypeUrl) + ProtoWire.StringFieldSize(Nonce);
        for (var i = 0; i < RemovedResources.Count; i++)
        {
            size += ProtoWire.StringFieldSize(RemovedResources[i]);
        }
        size += ControlPlaneIdentity.EncodedDeltaField.Length;
        return checked((int)size);
    }

    /// <summary>Writes the fields in field-number order, as Google.Protobuf does.</summary>
    internal void WriteTo(IBufferWriter<byte> output)
    {
        var writer = new WireWriter(output);
        writer.WriteString(SystemVersionInfoField, SystemVersionInfo);
        for (var i = 0; i < Resources.Count; i++)
        {
            Resources[i].WriteDeltaResource(ref writer);
        }
        writer.WriteString(TypeUrlField, TypeUrl);
        writer.WriteString(NonceField, Nonce);
        for (var i = 0; i < RemovedResources.Count; i++)
        {
            writer.WriteString(RemovedResourcesField, RemovedResources[i]);
        }
        writer.Write(ControlPlaneIdentity.EncodedDeltaField);
        writer.Flush();
    }
}
