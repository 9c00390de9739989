using ControlPlane.Xds.Resources;

namespace ControlPlane.Xds.Hub;

/// <summary>
/// What one committed push batch did to one table: the resources it stored and the names it removed,
/// each name once with its final state in the batch. Shared read-only by every stream.
/// </summary>
public sealed class TableChange
{
    internal TableChange(ResourceTable table, IReadOnlyList<XdsResource> updated, IReadOnlyList<string> removed)
    {
        Table = table;
        Updated = updated;
        Removed = removed;
        foreach (var resource in updated)
        {
            EncodedDeltaBytes += resource.DeltaResourceLength;
        }
    }

    /// <summary>Sum of the updated resources' <see cref="XdsResource.DeltaResourceLength"/>s.</summary>
    internal long EncodedDeltaBytes { get; }

    public TableKey Key => Table.Key;

    public ResourceTable Table { get; }

    /// <summary>Resources added or changed, in the order they were published.</summary>
    public IReadOnlyList<XdsResource> Updated { get; }

    /// <summary>Names removed.</summary>
    public IReadOnlyList<string> Removed { get; }

    public int Count => Updated.Count + Removed.Count;

    /// <summary>Every name the batch touched (updated, then removed).</summary>
    public IEnumerable<string> Names
    {
        get
        {
            foreach (var resource in Updated)
            {
                yield return resource.Name;
            }
            foreach (var name in Removed)
            {
                yield return name;
            }
        }
    }
}
