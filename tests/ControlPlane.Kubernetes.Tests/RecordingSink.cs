using System.Collections.Concurrent;
using ControlPlane.Ambient.Model;

namespace ControlPlane.Kubernetes.Tests;

/// <summary>An object sink that keeps the resulting state and every change it was given.</summary>
public sealed class RecordingSink : IObjectSink
{
    private readonly ConcurrentDictionary<ObjectKey, IMeshObject> _objects = new();
    private readonly ConcurrentQueue<ObjectChange> _changes = new();

    public IReadOnlyDictionary<ObjectKey, IMeshObject> Objects => _objects;

    public Task ApplyAsync(IReadOnlyList<ObjectChange> changes, CancellationToken cancellationToken)
    {
        foreach (var change in changes)
        {
            _changes.Enqueue(change);
            if (change.Object is { } obj)
            {
                _objects[change.Key] = obj;
            }
            else
            {
                _objects.TryRemove(change.Key, out _);
            }
        }
        return Task.CompletedTask;
    }

    public bool Has(string cluster, string kind, string ns, string name) => _objects.ContainsKey(new ObjectKey(cluster, kind, ns, name));

    public T? Get<T>(string cluster, string kind, string ns, string name)
        where T : class, IMeshObject =>
        _objects.TryGetValue(new ObjectKey(cluster, kind, ns, name), out var obj) ? (T)obj : null;

    /// <summary>Changes recorded so far (and forgets them), as "cluster/kind/ns/name:upsert|delete" sorted.</summary>
    public IReadOnlyList<string> Take()
    {
        var taken = new List<string>();
        while (_changes.TryDequeue(out var change))
        {
            taken.Add($"{change.Key}:{(change.Object is null ? "delete" : "upsert")}");
        }
        taken.Sort(StringComparer.Ordinal);
        return taken;
    }
}
