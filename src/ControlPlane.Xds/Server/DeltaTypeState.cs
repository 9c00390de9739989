using ControlPlane.Xds.Hub;
using ControlPlane.Xds.Resources;
using ControlPlane.Xds.Wire;

namespace ControlPlane.Xds.Server;

/// <summary>
/// Delta-specific state of one type. A named subscription tracks what the client holds, by version.
/// A wildcard subscriber holds the table as of the changes already written to it, so it keeps no
/// per-resource state at all: only the committed changes not yet written (shared with every other
/// stream), and the reported versions of a reconnect until its first response.
/// </summary>
internal sealed class DeltaTypeState(string typeUrl, ResourceTable table) : TypeState(typeUrl, table)
{
    /// <summary>
    /// Name → version the client holds. Complete for a named subscription (a subset of <see cref="TypeState.Names"/>);
    /// for a wildcard one only until the full resync that follows switching to wildcard.
    /// </summary>
    public Dictionary<string, string> Sent { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Wildcard subscription: the versions a reconnecting client reported, still encoded, until the first
    /// response compares them with the table (they are never copied into <see cref="Sent"/>).
    /// </summary>
    public InitialResourceVersions? Reported { get; set; }

    /// <summary>Names subscribed since the last response: answered even when held or absent (then as removed).</summary>
    public HashSet<string> Requested { get; } = new(StringComparer.Ordinal);

    /// <summary>Named subscription: names changed since the last response.</summary>
    public HashSet<string> Dirty { get; } = new(StringComparer.Ordinal);

    /// <summary>Wildcard subscription: committed changes not yet written, oldest first.</summary>
    public List<TableChange> PendingChanges { get; } = [];

    /// <summary>
    /// Wildcard subscription: older pending changes folded into the latest state of each name they touched
    /// (null = removed), so a client that stops reading holds on to neither a growing list nor superseded
    /// resources.
    /// </summary>
    public Dictionary<string, XdsResource?>? Folded { get; private set; }

    public override bool SendsWholeTable => Wildcard && FullResync;

    protected override bool HasChanges => Requested.Count > 0 || Dirty.Count > 0 || PendingChanges.Count > 0 || Folded is not null;

    public override bool Notify(TableChange change)
    {
        if (Wildcard)
        {
            if (PendingChanges.Count == MaxPendingChanges)
            {
                Folded ??= new Dictionary<string, XdsResource?>(StringComparer.Ordinal);
                FoldInto(Folded, PendingChanges);
                PendingChanges.Clear();
            }
            PendingChanges.Add(change);
            return true;
        }
        var wake = false;
        foreach (var name in change.Names)
        {
            if (Names.Contains(name))
            {
                wake |= Dirty.Add(name);
            }
        }
        return wake;
    }

    /// <summary>Forgets every pending change (written, or superseded by a full resync).</summary>
    public void ClearPendingChanges()
    {
        PendingChanges.Clear();
        Folded = null;
    }

    /// <summary>Applies <paramref name="changes"/>, oldest first, to the latest state of each name.</summary>
    public static void FoldInto(Dictionary<string, XdsResource?> latest, List<TableChange> changes)
    {
        foreach (var change in changes)
        {
            foreach (var resource in change.Updated)
            {
                latest[resource.Name] = resource;
            }
            foreach (var name in change.Removed)
            {
                latest[name] = null;
            }
        }
    }

    private const int MaxPendingChanges = 32;
}
