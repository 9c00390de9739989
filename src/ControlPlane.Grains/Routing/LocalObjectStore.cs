using ControlPlane.Ambient.Model;

namespace ControlPlane.Grains.Routing;

/// <summary>
/// This silo's copy of the source state: every change that passes through the sink, indexed by the grain
/// that owns the object (<see cref="GrainRoute"/>). Every replica runs the same sources, so any silo's
/// store holds every object once its sources have listed; grains are caches of it and seed themselves from
/// the store of the silo they activate on. Objects are shared, never copied: they are immutable records.
/// </summary>
public sealed class LocalObjectStore(MeshSettings settings)
{
    /// <summary>How long a grain activating here waits for this silo's sources to list before giving up.</summary>
    public static readonly TimeSpan SeedTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly Dictionary<ObjectKey, IMeshObject> _mesh = [];
    private readonly Dictionary<string, Dictionary<ObjectKey, IMeshObject>> _namespaces = new(StringComparer.Ordinal);
    private readonly List<(string Name, Task InitialSync)> _sources = [];

    /// <summary>
    /// Counts a source whose initial list must be in the store before grains may seed from it. Register
    /// every source before the silo starts; a store with no source counts as synced.
    /// </summary>
    public void TrackSource(string name, Task initialSync)
    {
        lock (_gate)
        {
            _sources.Add((name, initialSync));
        }
    }

    /// <summary>Every tracked source has delivered its initial list.</summary>
    public bool IsSynced
    {
        get
        {
            lock (_gate)
            {
                return _sources.TrueForAll(s => s.InitialSync.IsCompletedSuccessfully);
            }
        }
    }

    /// <summary>Completes once <see cref="IsSynced"/>; fails if a source's initial list failed.</summary>
    public async Task WhenSyncedAsync(CancellationToken cancellationToken)
    {
        List<(string Name, Task InitialSync)> sources;
        lock (_gate)
        {
            sources = [.. _sources];
        }
        foreach (var (name, initialSync) in sources)
        {
            try
            {
                await initialSync.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new InvalidOperationException($"source {name} did not complete its initial list: {ex.Message}", ex);
            }
        }
    }

    public void Record(IReadOnlyList<ObjectChange> changes)
    {
        lock (_gate)
        {
            EnsureCapacity(changes);
            foreach (var change in changes)
            {
                var route = GrainRoute.Of(change.Key, settings);
                if (route.Mesh)
                {
                    Set(_mesh, change);
                }
                if (route.Namespace is not { } ns)
                {
                    continue;
                }
                if (!_namespaces.TryGetValue(ns, out var objects))
                {
                    if (change.Object is null)
                    {
                        continue;
                    }
                    objects = [];
                    _namespaces[ns] = objects;
                }
                Set(objects, change);
                if (objects.Count == 0)
                {
                    _namespaces.Remove(ns);
                }
            }
        }
    }

    /// <summary>The objects the mesh grain holds.</summary>
    public IReadOnlyList<IMeshObject> MeshObjects()
    {
        lock (_gate)
        {
            return [.. _mesh.Values];
        }
    }

    /// <summary>The objects the grain of namespace <paramref name="name"/> holds.</summary>
    public IReadOnlyList<IMeshObject> NamespaceObjects(string name)
    {
        lock (_gate)
        {
            return _namespaces.TryGetValue(name, out var objects) ? [.. objects.Values] : [];
        }
    }

    /// <summary>Namespaces that have at least one object.</summary>
    public IReadOnlyList<string> Namespaces()
    {
        lock (_gate)
        {
            return [.. _namespaces.Keys];
        }
    }

    /// <summary>
    /// Sizes each namespace's map for the objects a large batch (an initial list) adds, rather than growing
    /// it by doubling, which leaves up to half of it empty.
    /// </summary>
    private void EnsureCapacity(IReadOnlyList<ObjectChange> changes)
    {
        if (changes.Count < 64)
        {
            return;
        }
        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var change in changes)
        {
            if (change.Object is not null && GrainRoute.Of(change.Key, settings).Namespace is { } ns)
            {
                added[ns] = added.GetValueOrDefault(ns) + 1;
            }
        }
        foreach (var (ns, count) in added)
        {
            if (!_namespaces.TryGetValue(ns, out var objects))
            {
                objects = new Dictionary<ObjectKey, IMeshObject>(count);
                _namespaces[ns] = objects;
            }
            objects.EnsureCapacity(objects.Count + count);
        }
    }

    private static void Set(Dictionary<ObjectKey, IMeshObject> objects, ObjectChange change)
    {
        if (change.Object is { } obj)
        {
            objects[change.Key] = obj;
        }
        else
        {
            objects.Remove(change.Key);
        }
    }
}
