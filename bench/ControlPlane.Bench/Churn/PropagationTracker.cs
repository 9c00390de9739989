namespace ControlPlane.Bench.Churn;

/// <summary>
/// Matches what simulated clients receive against the changes the load tool made. A client holds a
/// change once it receives the changed resource carrying the change's marker or a newer one (the server
/// may coalesce several changes of one resource into its latest state), or, for a deletion, once the name
/// is in <c>removed_resources</c>. Thread-safe: every client's reader calls in.
/// </summary>
public sealed class PropagationTracker(int clients)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<TrackedChange>> _pendingByName = new(StringComparer.Ordinal);
    private readonly List<TrackedChange> _changes = [];
    private int _pending;

    public int Clients { get; } = clients;

    /// <summary>Changes not yet held by every client.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending;
            }
        }
    }

    public IReadOnlyList<TrackedChange> Changes
    {
        get
        {
            lock (_gate)
            {
                return [.. _changes];
            }
        }
    }

    /// <summary>
    /// Registers a change before it is made (a fast client must not see it before it is expected); call
    /// <see cref="MarkWritten"/> once it is visible to the source.
    /// </summary>
    public TrackedChange Expect(long marker, string kind, string resourceName, bool removal = false)
    {
        var change = new TrackedChange(marker, kind, resourceName, removal, Clients);
        lock (_gate)
        {
            if (!_pendingByName.TryGetValue(resourceName, out var list))
            {
                list = [];
                _pendingByName[resourceName] = list;
            }
            list.Add(change);
            _changes.Add(change);
            _pending++;
        }
        return change;
    }

    public void MarkWritten(TrackedChange change, long timestamp)
    {
        lock (_gate)
        {
            change.WrittenAt = timestamp;
        }
    }

    /// <summary>True when a change of this resource is still on its way to some client.</summary>
    public bool Tracks(string resourceName)
    {
        lock (_gate)
        {
            return _pendingByName.ContainsKey(resourceName);
        }
    }

    /// <summary>A client received <paramref name="resourceName"/> carrying <paramref name="marker"/> at <paramref name="at"/>.</summary>
    public void ObserveUpdate(int client, string resourceName, long marker, long at) =>
        Observe(client, resourceName, at, change => !change.Removal && change.Marker <= marker);

    /// <summary>A client was told <paramref name="resourceName"/> is gone.</summary>
    public void ObserveRemoval(int client, string resourceName, long at) =>
        Observe(client, resourceName, at, static _ => true);

    /// <summary>Completes when every client held <paramref name="change"/>.</summary>
    public static Task WhenDeliveredAsync(TrackedChange change, CancellationToken cancellationToken) =>
        change.Done.Task.WaitAsync(cancellationToken);

    private void Observe(int client, string resourceName, long at, Func<TrackedChange, bool> satisfies)
    {
        List<TrackedChange>? done = null;
        lock (_gate)
        {
            if (!_pendingByName.TryGetValue(resourceName, out var list))
            {
                return;
            }
            foreach (var change in list)
            {
                if (change.SeenAt[client] != 0 || !satisfies(change))
                {
                    continue;
                }
                change.SeenAt[client] = at;
                if (--change.Remaining == 0)
                {
                    (done ??= []).Add(change);
                }
            }
            if (done is null)
            {
                return;
            }
            foreach (var change in done)
            {
                list.Remove(change);
                _pending--;
            }
            if (list.Count == 0)
            {
                _pendingByName.Remove(resourceName);
            }
        }
        foreach (var change in done)
        {
            change.Done.TrySetResult();
        }
    }
}
