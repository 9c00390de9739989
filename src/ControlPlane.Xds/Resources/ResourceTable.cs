using System.Collections.Concurrent;

namespace ControlPlane.Xds.Resources;

/// <summary>
/// The current resources of one type URL (and scope): name → encoded resource with its version.
/// Written only by the hub's commit loop; read concurrently by every stream.
/// </summary>
public sealed class ResourceTable
{
    private readonly ConcurrentDictionary<string, XdsResource> _resources = new(StringComparer.Ordinal);

    public ResourceTable(TableKey key) => Key = key;

    public TableKey Key { get; }

    public int Count => _resources.Count;

    /// <summary>Incremented on every committed change; lets readers tell whether anything moved.</summary>
    public long Generation { get; private set; }

    public bool TryGet(string name, out XdsResource resource) => _resources.TryGetValue(name, out resource!);

    public IEnumerable<XdsResource> All => _resources.Values;

    public IEnumerable<string> Names => _resources.Keys;

    /// <summary>Stores a resource; returns false when an identical version is already there.</summary>
    internal bool Set(XdsResource resource)
    {
        if (_resources.TryGetValue(resource.Name, out var existing) && existing.Version == resource.Version)
        {
            return false;
        }
        _resources[resource.Name] = resource;
        Generation++;
        return true;
    }

    internal bool Remove(string name)
    {
        if (!_resources.TryRemove(name, out _))
        {
            return false;
        }
        Generation++;
        return true;
    }
}
