using System.Buffers;
using ControlPlane.Xds.Wire;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;

namespace ControlPlane.Xds.Server;

/// <summary>
/// A DeltaDiscoveryRequest as the server reads it: every field decoded by Google.Protobuf except
/// <c>initial_resource_versions</c>, whose entries stay encoded (<see cref="InitialResourceVersions"/>) so a
/// reconnect reporting 100,000 resources allocates no string per name and version.
/// </summary>
public sealed class DeltaRequest
{
    internal DeltaRequest(DeltaDiscoveryRequest message, InitialResourceVersions initialResourceVersions)
    {
        Message = message;
        InitialResourceVersions = initialResourceVersions;
    }

    /// <summary>The request without its <c>initial_resource_versions</c> (always empty here).</summary>
    public DeltaDiscoveryRequest Message { get; }

    internal InitialResourceVersions InitialResourceVersions { get; }

    /// <summary>
    /// Decodes a request. Bytes Google.Protobuf would refuse are refused with its exception; a request it
    /// accepts is read with the same meaning (unknown fields kept, the last of repeated singular fields wins).
    /// </summary>
    internal static DeltaRequest Parse(ReadOnlySequence<byte> payload)
    {
        // Every byte is overwritten: no need to clear a buffer of megabytes first.
        var bytes = GC.AllocateUninitializedArray<byte>(checked((int)payload.Length));
        payload.CopyTo(bytes);
        var message = new DeltaDiscoveryRequest();
        try
        {
            return new DeltaRequest(message, InitialResourceVersions.Over(bytes, message));
        }
        catch (FormatException)
        {
            return Reencoded(DeltaDiscoveryRequest.Parser.ParseFrom(bytes));
        }
    }

    /// <summary>
    /// A request Google.Protobuf accepts but the wire walk did not: its map is re-encoded so that there is
    /// one way of reading it.
    /// </summary>
    private static DeltaRequest Reencoded(DeltaDiscoveryRequest message)
    {
        var map = new DeltaDiscoveryRequest();
        map.InitialResourceVersions.Add(message.InitialResourceVersions);
        message.InitialResourceVersions.Clear();
        return new DeltaRequest(message, InitialResourceVersions.Over(map.ToByteArray(), rest: null));
    }
}
