using System.Diagnostics;
using ControlPlane.Xds.Hub;
using ControlPlane.Xds.Resources;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Grains.Distribution;

/// <summary>
/// Connects this silo's <see cref="XdsHub"/> to the distribution grain: subscribes once the silo is
/// active (taking a snapshot), refreshes the subscription periodically, and publishes what it receives
/// into the hub strictly in the distribution grain's order. Notifications are one-way and may arrive out
/// of order: early ones wait for the ones before them, and a gap that does not fill (a lost notification,
/// a new distribution grain) is repaired from a fresh snapshot. The bridge knows which origin put each
/// name into the hub: an origin's complete set replaces only that origin's names, and origins absent from
/// a snapshot are left alone (a reactivated distribution grain may not know them yet; the bridge names
/// them when it subscribes, so it asks them).
/// </summary>
public sealed partial class HubBridge(IGrainFactory grains, XdsHub hub, ILogger<HubBridge> logger)
    : IHubObserver, ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>
    /// Also how soon a hub notices a new distribution grain, which does not know its hubs: short, since
    /// the hub misses updates until then.
    /// </summary>
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    /// <summary>How long an update may be missing before the hub asks for a snapshot instead.</summary>
    private static readonly TimeSpan GapTimeout = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    private readonly Lock _gate = new();

    // Updates that arrived ahead of their turn, per distribution epoch.
    private readonly Dictionary<Guid, SortedDictionary<long, HubUpdate>> _pending = [];

    // What this bridge has put into the hub: the origin of each name, and the names of each origin.
    private readonly Dictionary<(string TypeUrl, string Scope), Dictionary<string, GrainId>> _owners = [];
    private readonly Dictionary<GrainId, Dictionary<(string TypeUrl, string Scope), HashSet<string>>> _byOrigin = [];
    private readonly List<(HubPosition Position, TaskCompletionSource Done)> _waiters = [];
    private Guid _epoch;
    private long _applied = -1;
    private long _gapSince;
    private IHubObserver? _reference;
    private CancellationTokenSource? _stop;
    private Task? _maintenance;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(HubBridge), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    public Task ApplyAsync(HubUpdate update)
    {
        lock (_gate)
        {
            if (update.IsSnapshot)
            {
                if (update.Epoch != _epoch || update.Sequence > _applied)
                {
                    ApplySnapshot(update);
                }
            }
            else if (update.Epoch != _epoch || update.Sequence > _applied)
            {
                if (!_pending.TryGetValue(update.Epoch, out var queue))
                {
                    queue = [];
                    _pending[update.Epoch] = queue;
                }
                queue[update.Sequence] = update;
            }
            Drain();
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Completes once this silo's hub holds everything the distribution grain had published when this was
    /// called (applied and committed), e.g. before reporting ready.
    /// </summary>
    public async Task WaitUntilCurrentAsync(CancellationToken cancellationToken)
    {
        var reference = _reference ?? throw new InvalidOperationException("the hub bridge has not started");
        var position = await Distribution.SubscribeAsync(reference, sendSnapshot: false, []).WaitAsync(cancellationToken).ConfigureAwait(false);
        Task reached;
        lock (_gate)
        {
            if (Reached(position))
            {
                reached = Task.CompletedTask;
            }
            else
            {
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((position, done));
                NoteBehindLocked(position);
                reached = done.Task;
            }
        }
        await reached.WaitAsync(cancellationToken).ConfigureAwait(false);
        await hub.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private bool Reached(HubPosition position) => position.Epoch == _epoch && _applied >= position.Sequence;

    /// <summary>Applies queued updates of the current epoch that are next in line; notes a gap if some remain.</summary>
    private void Drain()
    {
        if (_pending.TryGetValue(_epoch, out var queue))
        {
            while (queue.Count > 0)
            {
                var (sequence, update) = queue.First();
                if (sequence <= _applied)
                {
                    queue.Remove(sequence);
                    continue;
                }
                if (sequence != _applied + 1)
                {
                    break;
                }
                queue.Remove(sequence);
                Apply(update.Origins);
                _applied = sequence;
            }
            if (queue.Count == 0)
            {
                _pending.Remove(_epoch);
            }
        }
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            if (Reached(_waiters[i].Position))
            {
                _waiters[i].Done.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
        var waiting = _pending.Count > 0;
        if (!waiting)
        {
            _gapSince = 0;
        }
        else if (_gapSince == 0)
        {
            _gapSince = Stopwatch.GetTimestamp();
        }
    }

    private void Apply(IReadOnlyList<OriginUpdate> origins)
    {
        foreach (var origin in origins)
        {
            if (origin.Complete)
            {
                Replace(origin);
            }
            else
            {
                foreach (var batch in origin.Batches)
                {
                    Apply(origin.Origin, batch);
                }
            }
        }
    }

    /// <summary>Applies an origin's change to one table; a name is removed only by the origin that put it there.</summary>
    private void Apply(GrainId origin, ResourceBatch batch)
    {
        var key = (batch.TypeUrl, batch.Scope);
        if (!_owners.TryGetValue(key, out var owners))
        {
            owners = new Dictionary<string, GrainId>(StringComparer.Ordinal);
            _owners[key] = owners;
        }
        var updated = new List<XdsResource>(batch.Updated.Count);
        foreach (var resource in batch.Updated)
        {
            // The hub keeps the published array itself: in this silo it is the one the distribution grain holds.
            updated.Add(new XdsResource(batch.TypeUrl, resource.Name, resource.Body));
            if (owners.TryGetValue(resource.Name, out var previous))
            {
                if (previous == origin)
                {
                    continue;
                }
                Forget(previous, key, resource.Name);
            }
            owners[resource.Name] = origin;
            NamesOf(origin, key).Add(resource.Name);
        }
        var removed = new List<string>(batch.Removed.Count);
        foreach (var name in batch.Removed)
        {
            if (owners.TryGetValue(name, out var owner) && owner == origin)
            {
                owners.Remove(name);
                Forget(origin, key, name);
                removed.Add(name);
            }
        }
        if (updated.Count + removed.Count > 0)
        {
            hub.Publish(new ResourceDelta(batch.TypeUrl, batch.Scope, updated, removed));
        }
    }

    /// <summary>Makes the hub hold exactly an origin's complete set, as far as that origin's names go.</summary>
    private void Replace(OriginUpdate complete)
    {
        var held = _byOrigin.GetValueOrDefault(complete.Origin);
        var incoming = new HashSet<(string, string)>();
        foreach (var batch in complete.Batches)
        {
            var key = (batch.TypeUrl, batch.Scope);
            incoming.Add(key);
            var names = new HashSet<string>(batch.Updated.Count, StringComparer.Ordinal);
            foreach (var resource in batch.Updated)
            {
                names.Add(resource.Name);
            }
            var gone = held?.GetValueOrDefault(key)?.Where(n => !names.Contains(n)).ToList() ?? [];
            Apply(complete.Origin, gone.Count == 0 ? batch : batch with { Removed = gone });
        }
        foreach (var (key, names) in held?.ToList() ?? [])
        {
            if (!incoming.Contains(key))
            {
                Apply(complete.Origin, new ResourceBatch(key.TypeUrl, key.Scope, [], [.. names]));
            }
        }
    }

    private HashSet<string> NamesOf(GrainId origin, (string TypeUrl, string Scope) key)
    {
        if (!_byOrigin.TryGetValue(origin, out var tables))
        {
            tables = [];
            _byOrigin[origin] = tables;
        }
        if (!tables.TryGetValue(key, out var names))
        {
            names = new HashSet<string>(StringComparer.Ordinal);
            tables[key] = names;
        }
        return names;
    }

    private void Forget(GrainId origin, (string TypeUrl, string Scope) key, string name)
    {
        if (_byOrigin.TryGetValue(origin, out var tables) && tables.TryGetValue(key, out var names) && names.Remove(name) && names.Count == 0)
        {
            tables.Remove(key);
            if (tables.Count == 0)
            {
                _byOrigin.Remove(origin);
            }
        }
    }

    /// <summary>Origins that have names in the hub.</summary>
    private List<GrainId> HeldOrigins()
    {
        lock (_gate)
        {
            return [.. _byOrigin.Keys];
        }
    }

    /// <summary>Applies a snapshot: each origin in it replaces its own names; the numbering restarts from it.</summary>
    private void ApplySnapshot(HubUpdate snapshot)
    {
        if (snapshot.Epoch != _epoch && _epoch != Guid.Empty)
        {
            LogNewEpoch(snapshot.Sequence, snapshot.Origins.Count);
        }
        Apply(snapshot.Origins);
        if (snapshot.Epoch != _epoch)
        {
            _pending.Remove(_epoch);
        }
        _epoch = snapshot.Epoch;
        _applied = snapshot.Sequence;
        _gapSince = 0;
        LogSnapshotApplied(snapshot.Sequence, snapshot.Origins.Count, snapshot.Origins.Sum(o => o.Batches.Sum(b => b.Updated.Count)));
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        _reference = grains.CreateObjectReference<IHubObserver>(this);
        try
        {
            await Distribution.SubscribeAsync(_reference, sendSnapshot: true, []).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            // The silo starts anyway; the maintenance loop asks again.
            LogRefreshFailed(ex.Message);
            lock (_gate)
            {
                _gapSince = Stopwatch.GetTimestamp() - Stopwatch.Frequency * (long)GapTimeout.TotalSeconds;
            }
        }
        _stop = new CancellationTokenSource();
        _maintenance = MaintainAsync(_reference, _stop.Token);
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stop is null || _reference is null)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        await (_maintenance ?? Task.CompletedTask).ConfigureAwait(false);
        try
        {
            await Distribution.UnsubscribeAsync(_reference).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            LogUnsubscribeFailed(ex.Message);
        }
    }

    /// <summary>Refreshes the subscription now and then, and asks for a snapshot when a gap does not fill.</summary>
    private async Task MaintainAsync(IHubObserver reference, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Tick);
        var lastRefresh = Stopwatch.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    if (Stopwatch.GetElapsedTime(lastRefresh) >= RefreshInterval)
                    {
                        lastRefresh = Stopwatch.GetTimestamp();
                        var position = await Distribution.SubscribeAsync(reference, sendSnapshot: false, []).ConfigureAwait(false);
                        if (NoteBehind(position))
                        {
                            // A new distribution grain: it knows neither this hub nor, perhaps, what the hub holds.
                            LogNewDistribution(position.Sequence);
                            await Distribution.SubscribeAsync(reference, sendSnapshot: true, HeldOrigins()).ConfigureAwait(false);
                        }
                    }
                    if (GapOutstanding())
                    {
                        LogResync(_applied);
                        await Distribution.SubscribeAsync(reference, sendSnapshot: true, HeldOrigins()).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is OrleansException or TimeoutException)
                {
                    LogRefreshFailed(ex.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// The distribution grain is ahead of what arrived (e.g. this hub was dropped for a while): a gap.
    /// True when it is another activation than the one this hub follows.
    /// </summary>
    private bool NoteBehind(HubPosition position)
    {
        lock (_gate)
        {
            NoteBehindLocked(position);
            return position.Epoch != _epoch;
        }
    }

    private void NoteBehindLocked(HubPosition position)
    {
        if (!Reached(position) && _gapSince == 0)
        {
            _gapSince = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>True (once per timeout) when updates have been missing for longer than <see cref="GapTimeout"/>.</summary>
    private bool GapOutstanding()
    {
        lock (_gate)
        {
            if (_gapSince == 0 || Stopwatch.GetElapsedTime(_gapSince) < GapTimeout)
            {
                return false;
            }
            // Give the snapshot time to arrive before asking again.
            _gapSince = Stopwatch.GetTimestamp();
            return true;
        }
    }

    private IDistributionGrain Distribution => grains.GetGrain<IDistributionGrain>(GrainKeys.Distribution);

    public void Dispose() => _stop?.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing the hub subscription failed: {Reason}")]
    private partial void LogRefreshFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unsubscribing the hub failed: {Reason}")]
    private partial void LogUnsubscribeFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hub updates after {Applied} are missing; asking for a snapshot")]
    private partial void LogResync(long applied);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The distribution grain was reactivated (now at update {Sequence}, {Origins} origins known); origins it does not know yet keep what the hub serves")]
    private partial void LogNewEpoch(long sequence, int origins);

    [LoggerMessage(Level = LogLevel.Information, Message = "A new distribution grain activation (at update {Sequence}); subscribing to it with the origins this hub holds")]
    private partial void LogNewDistribution(long sequence);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Hub took a snapshot as of update {Sequence} ({Origins} origins, {Resources} resources)")]
    private partial void LogSnapshotApplied(long sequence, int origins, int resources);
}
