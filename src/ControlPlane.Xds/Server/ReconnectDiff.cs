using System.Buffers;
using ControlPlane.Xds.Resources;
using ControlPlane.Xds.Wire;

namespace ControlPlane.Xds.Server;

/// <summary>
/// The first response to a wildcard subscriber that reported what it holds (initial_resource_versions):
/// every resource of the table snapshot it does not hold at the same version, and removals for what it
/// holds that the table no longer has. The reported names and versions are compared as they came off
/// the wire; when the client holds the whole snapshot, the usual reconnect, no name is even looked up.
/// </summary>
internal static class ReconnectDiff
{
    // Longer names are decoded into a string of their own.
    private const int NameScratchLength = 512;

    /// <param name="notifiedThrough">Entries stored by a later hub batch are left to that batch.</param>
    public static (IReadOnlyList<XdsResource> Resources, List<string> Removed) Compute(
        DeltaTypeState state, InitialResourceVersions reported, TableSnapshot snapshot, long notifiedThrough)
    {
        // As many entries as the snapshot, with the same set fingerprint: the client holds every resource
        // at its version and nothing else (a repeated or missing name changes the sum). Versions are
        // 64-bit content hashes already; the sum adds no weaker link.
        if (state.Requested.Count == 0 && reported.Count == snapshot.Resources.Length && reported.Fingerprint == snapshot.Fingerprint)
        {
            return ([], []);
        }
        var scratch = ArrayPool<char>.Shared.Rent(NameScratchLength);
        try
        {
            var removed = new RemovedNames();
            return (Unheld(state, reported, snapshot, notifiedThrough, scratch, removed), removed.Names);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(scratch);
        }
    }

    /// <summary>The snapshot's resources the client does not hold at their version (or asked for by name).</summary>
    private static List<XdsResource> Unheld(
        DeltaTypeState state, InitialResourceVersions reported, TableSnapshot snapshot, long notifiedThrough, char[] scratch, RemovedNames removed)
    {
        var table = state.Table;
        // Current resource → whether the client holds its version (a repeated name's last entry wins).
        var held = new Dictionary<XdsResource, bool>(reported.Count);
        foreach (var entry in reported)
        {
            if (table.TryGet(entry.NameChars(scratch), out var resource))
            {
                held[resource] = resource.HasVersion(entry.Version);
            }
            else
            {
                removed.Add(entry.NameString());
            }
        }
        Dictionary<string, string>? byName = null;
        var resources = new List<XdsResource>(snapshot.Entries.Length);
        foreach (var entry in snapshot.Entries)
        {
            if (entry.Revision > notifiedThrough)
            {
                continue;
            }
            var resource = entry.Resource;
            if (state.Requested.Contains(resource.Name))
            {
                resources.Add(resource);
                continue;
            }
            if (held.TryGetValue(resource, out var holds))
            {
                if (!holds)
                {
                    resources.Add(resource);
                }
                continue;
            }
            if (!table.TryGet(resource.Name, out var current) || !ReferenceEquals(current, resource))
            {
                // The table moved on since the snapshot (its batch is still to come): compare by name.
                byName ??= reported.ToDictionary();
                if (byName.TryGetValue(resource.Name, out var version) && resource.HasVersion(version))
                {
                    continue;
                }
            }
            resources.Add(resource);
        }
        foreach (var name in state.Requested)
        {
            if (!table.Contains(name))
            {
                removed.Add(name);
            }
        }
        return resources;
    }

    /// <summary>Removed names in order, each once (a name may be reported twice, or reported and requested).</summary>
    private sealed class RemovedNames
    {
        private HashSet<string>? _seen;

        public List<string> Names { get; } = [];

        public void Add(string name)
        {
            if (Names.Count > 0)
            {
                _seen ??= new HashSet<string>(Names, StringComparer.Ordinal);
                if (!_seen.Add(name))
                {
                    return;
                }
            }
            Names.Add(name);
        }
    }
}
