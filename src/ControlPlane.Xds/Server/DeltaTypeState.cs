using ControlPlane.Xds.Resources;

namespace ControlPlane.Xds.Server;

/// <summary>Delta-specific state of one type: what the client holds, by version.</summary>
internal sealed class DeltaTypeState(string typeUrl, ResourceTable table) : TypeState(typeUrl, table)
{
    /// <summary>Name → version the client holds (or is being sent).</summary>
    public Dictionary<string, string> Sent { get; } = new(StringComparer.Ordinal);

    /// <summary>Names newly subscribed by name: answered even when absent (as a removal = "not found").</summary>
    public HashSet<string> Requested { get; } = new(StringComparer.Ordinal);

    public override bool Holds(string name) => Sent.ContainsKey(name);
}
