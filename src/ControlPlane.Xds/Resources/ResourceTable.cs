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
    private readonly ConcurrentDictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _byChars;
    private long _generation;
    private TableSnapshot? _snapshot;

    public ResourceTable(TableKey key)
    {
        Key = key;
        _byChars = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public TableKey Key { get; }

    public int Count => _entries.Count;

    /// <summary>Incremented on every committed change; lets readers tell whether anything moved.</summary>
    public long Generation => Volatile.Read(ref _generation);

    public bool TryGet(string name, out XdsResource resource) => TryGet(name.AsSpan(), out resource);

    /// <summary>Looks a name up without making a string of it (names a client sends, compared in place).</summary>
    public bool TryGet(ReadOnlySpan<char> name, out XdsResource resource)
    {
        if (_byChars.TryGetValue(name, out var entry))
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

    /// <summary>
    /// The whole table as one array, built at most once per generation and shared by every stream that
    /// needs all of it (wildcard resyncs, state-of-the-world wildcards). A copy taken while the hub was
    /// committing is still a valid view (each entry is one that was stored) but is not kept.
    /// </summary>
    internal TableSnapshot Snapshot()
    {
        var generation = Generation;
        if (Volatile.Read(ref _snapshot) is { } cached && cached.Generation == generation)
        {
            return cached;
        }
        var entries = new List<Entry>(_entries.Count);
        foreach (var pair in _entries)
        {
            entries.Add(pair.Value);
        }
        var snapshot = new TableSnapshot(generation, entries);
        if (Generation == generation)
        {
            Volatile.Write(ref _snapshot, snapshot);
        }
        return snapshot;
    }

    /// <summary>Stores a resource; returns false when an identical version is already there.</summary>
    internal bool Set(XdsResource resource, long revision)
    {
        if (_entries.TryGetValue(resource.Name, out var existing) && existing.Resource.HasSameContent(resource))
        {
            return false;
        }
        _entries[resource.Name] = new Entry(resource, revision);
        Interlocked.Increment(ref _generation);
        return true;
    }

    internal bool Remove(string name)
    {
        if (!_entries.TryRemove(name, out _))
        {
            return false;
        }
        Interlocked.Increment(ref _generation);
        return true;
    }

    /// <summary>A stored resource and the hub commit (<see cref="Hub.PushBatch.Version"/>) that stored it.</summary>
    internal readonly record struct Entry(XdsResource Resource, long Revision);
}
