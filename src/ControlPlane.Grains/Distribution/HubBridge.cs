using System.Diagnostics;
using ControlPlane.Xds.Hub;
using ControlPlane.Xds.Resources;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Grains.Distribution;

/// <summary>
/// Connects this silo's <see cref="XdsHub"/> to the distribution grain: subscribes once the silo is
/// active (taking a full snapshot), refreshes the subscription periodically, and publishes what it
/// receives into the hub strictly in the distribution grain's order. Notifications are one-way and may
/// arrive out of order: early ones wait for the ones before them, and a gap that does not fill (a lost
/// notification, a new distribution grain) is repaired from a fresh snapshot.
/// </summary>
public sealed partial class HubBridge(IGrainFactory grains, XdsHub hub, ILogger<HubBridge> logger)
    : IHubObserver, ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private static readonly TimeSpan RefreshInterval = DistributionGrain.SubscriptionExpiry / 4;

    /// <summary>How long an update may be missing before the hub asks for a snapshot instead.</summary>
    private static readonly TimeSpan GapTimeout = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    private readonly Lock _gate = new();

    // Updates that arrived ahead of their turn, per distribution epoch.
    private readonly Dictionary<Guid, SortedDictionary<long, HubUpdate>> _pending = [];

    // What this bridge has put into the hub, so a snapshot can remove what it no longer holds.
    private readonly Dictionary<(string TypeUrl, string Scope), HashSet<string>> _known = [];
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
        var position = await Distribution.SubscribeAsync(reference, sendSnapshot: false).WaitAsync(cancellationToken).ConfigureAwait(false);
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
                Apply(update.Batches);
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

    private void Apply(IReadOnlyList<ResourceBatch> batches)
    {
        foreach (var batch in batches)
        {
            var known = Known(batch.TypeUrl, batch.Scope);
            var updated = new List<XdsResource>(batch.Updated.Count);
            foreach (var resource in batch.Updated)
            {
                updated.Add(new XdsResource(batch.TypeUrl, resource.Name, UnsafeByteOperations.UnsafeWrap(resource.Body)));
                known.Add(resource.Name);
            }
            foreach (var name in batch.Removed)
            {
                known.Remove(name);
            }
            hub.Publish(new ResourceDelta(batch.TypeUrl, batch.Scope, updated, batch.Removed));
        }
    }

    /// <summary>
    /// Makes the hub hold the snapshot. Within one epoch the snapshot is complete, so whatever else this
    /// bridge put into the hub is removed. A new epoch means the distribution grain was reactivated and
    /// lost what it held (grains re-publish only what changes): then the hub keeps serving what it has
    /// and only takes what the snapshot adds.
    /// </summary>
    private void ApplySnapshot(HubUpdate snapshot)
    {
        var complete = snapshot.Epoch == _epoch;
        var inSnapshot = new HashSet<(string, string)>();
        var batches = new List<ResourceBatch>(snapshot.Batches.Count + _known.Count);
        foreach (var batch in snapshot.Batches)
        {
            inSnapshot.Add((batch.TypeUrl, batch.Scope));
            var names = new HashSet<string>(batch.Updated.Select(r => r.Name), StringComparer.Ordinal);
            batches.Add(batch with { Removed = complete ? [.. Known(batch.TypeUrl, batch.Scope).Where(n => !names.Contains(n))] : [] });
        }
        foreach (var ((typeUrl, scope), known) in _known)
        {
            if (complete && !inSnapshot.Contains((typeUrl, scope)) && known.Count > 0)
            {
                batches.Add(new ResourceBatch(typeUrl, scope, [], [.. known]));
            }
        }
        if (!complete && _epoch != Guid.Empty)
        {
            LogNewEpoch(snapshot.Sequence);
        }
        Apply(batches);
        if (snapshot.Epoch != _epoch)
        {
            _pending.Remove(_epoch);
        }
        _epoch = snapshot.Epoch;
        _applied = snapshot.Sequence;
        _gapSince = 0;
        LogSnapshotApplied(snapshot.Sequence, snapshot.Batches.Sum(b => b.Updated.Count));
    }

    private HashSet<string> Known(string typeUrl, string scope)
    {
        if (!_known.TryGetValue((typeUrl, scope), out var names))
        {
            names = new HashSet<string>(StringComparer.Ordinal);
            _known[(typeUrl, scope)] = names;
        }
        return names;
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        _reference = grains.CreateObjectReference<IHubObserver>(this);
        await Distribution.SubscribeAsync(_reference, sendSnapshot: true).ConfigureAwait(false);
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
                        var position = await Distribution.SubscribeAsync(reference, sendSnapshot: false).ConfigureAwait(false);
                        NoteBehind(position);
                    }
                    if (GapOutstanding())
                    {
                        LogResync(_applied);
                        await Distribution.SubscribeAsync(reference, sendSnapshot: true).ConfigureAwait(false);
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

    /// <summary>The distribution grain is ahead of what arrived (e.g. this hub was dropped for a while): a gap.</summary>
    private void NoteBehind(HubPosition position)
    {
        lock (_gate)
        {
            NoteBehindLocked(position);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The distribution grain was reactivated (now at publish {Sequence}); keeping what the hub serves and adding its snapshot")]
    private partial void LogNewEpoch(long sequence);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Hub took a snapshot as of publish {Sequence} ({Resources} resources)")]
    private partial void LogSnapshotApplied(long sequence, int resources);
}
