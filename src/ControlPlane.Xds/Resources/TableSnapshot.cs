namespace ControlPlane.Xds.Resources;

/// <summary>
/// Every resource of a table at one generation, with what streams need to send all of it without
/// walking it again: the largest revision, the encoded sizes and the state-of-the-world set fingerprint.
/// Immutable; shared.
/// </summary>
internal sealed class TableSnapshot
{
    public TableSnapshot(long generation, List<ResourceTable.Entry> entries)
    {
        Generation = generation;
        Entries = [.. entries];
        var resources = new XdsResource[Entries.Length];
        long deltaBytes = 0;
        long anyBytes = 0;
        ulong fingerprint = 0;
        for (var i = 0; i < Entries.Length; i++)
        {
            var resource = Entries[i].Resource;
            resources[i] = resource;
            MaxRevision = Math.Max(MaxRevision, Entries[i].Revision);
            deltaBytes += resource.DeltaResourceLength;
            anyBytes += resource.AnyLength;
            fingerprint = unchecked(fingerprint + resource.Fingerprint);
        }
        Resources = resources;
        EncodedDeltaBytes = deltaBytes;
        EncodedAnyBytes = anyBytes;
        Fingerprint = fingerprint;
    }

    public long Generation { get; }

    public ResourceTable.Entry[] Entries { get; }

    public XdsResource[] Resources { get; }

    /// <summary>The latest hub commit among the entries.</summary>
    public long MaxRevision { get; }

    /// <summary>Sum of <see cref="XdsResource.DeltaResourceLength"/>s.</summary>
    public long EncodedDeltaBytes { get; }

    /// <summary>Sum of <see cref="XdsResource.AnyLength"/>s.</summary>
    public long EncodedAnyBytes { get; }

    /// <summary>Sum of <see cref="XdsResource.Fingerprint"/>s: the set's state-of-the-world version.</summary>
    public ulong Fingerprint { get; }
}
