using System.Collections.Concurrent;

namespace ControlPlane.Xds.Resources;

/// <summary>
/// The current resources of one type URL (and scope): name → encoded resource with its version, and the
/// hub commit (revision) that stored it. Written only by the hub's commit loop; read concurrently by
/// every stream.
/// </summary>
public sealed class ResourceTable
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public ResourceTable(TableKey key) => Key = key;

    public TableKey Key { get; }

    public int Count => _entries.Count;

    /// <summary>Incremented on every committed change; lets readers tell whether anything moved.</summary>
    public long Generation { get; private set; }

    public bool TryGet(string name, out XdsResource resource)
    {
        if (_entries.TryGetValue(name, out var entry))
        {
            resource = entry.Resource;
            return true;
        }
        resource = null!;
        return false;
    }

    public bool Contains(string name) => _entries.ContainsKey(name);

    /// <summary>Every resource, read without locking (a moment-in-time view is not guaranteed).</summary>
    public IEnumerable<XdsResource> All
    {
        get
        {
            foreach (var pair in _entries)
            {
                yield return pair.Value.Resource;
            }
        }
    }

    public IEnumerable<string> Names
    {
        get
        {
            foreach (var pair in _entries)
            {
                yield return pair.Key;
            }
        }
    }

    /// <summary>Every resource with the hub commit that stored it.</summary>
    internal ConcurrentDictionary<string, Entry> Entries => _entries;

    /// <summary>Stores a resource; returns false when an identical version is already there.</summary>
    internal bool Set(XdsResource resource, long revision)
    {
        if (_entries.TryGetValue(resource.Name, out var existing) && existing.Resource.Version == resource.Version)
        {
            return false;
        }
        _entries[resource.Name] = new Entry(resource, revision);
        Generation++;
        return true;
    }

    internal bool Remove(string name)
    {
        if (!_entries.TryRemove(name, out _))
        {
            return false;
        }
        Generation++;
        return true;
    }

    /// <summary>A stored resource and the hub commit (<see cref="Hub.PushBatch.Version"/>) that stored it.</summary>
    internal readonly record struct Entry(XdsResource Resource, long Revision);
}
