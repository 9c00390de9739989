using ControlPlane.Grains.Namespaces;
using ControlPlane.Grains.Routing;
using Microsoft.Extensions.Logging;
using Orleans.Utilities;

namespace ControlPlane.Grains.Distribution;

/// <summary>
/// The single fan-out point from grains to silos. Holds the published resources (name → owning origin and
/// encoded bytes) per table, and per origin its epoch, the number of its latest publish and the names it
/// owns. An origin's publishes are applied in its order; a stale one is ignored; a gap or an unknown epoch
/// makes it ask the origin for its complete set, which replaces that origin's resources. Its own state lives
/// only in memory: a new activation learns the origins from this silo's store and from the hubs, and asks
/// each for its complete set. Every update it sends hubs is numbered, so hubs apply them in order.
/// </summary>
[KeepAlive]
public sealed partial class DistributionGrain : Grain, IDistributionGrain
{
    /// <summary>Hubs that stop refreshing their subscription for this long are dropped.</summary>
    public static readonly TimeSpan SubscriptionExpiry = TimeSpan.FromMinutes(2);

    private const int MaxConcurrentFetches = 16;

    /// <summary>Out-of-turn updates kept per origin while its complete set is fetched; beyond that the fetch alone repairs it.</summary>
    private const int MaxWaiting = 256;

    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(2);

    private readonly Dictionary<(string TypeUrl, string Scope), Dictionary<string, HeldResource>> _tables = [];
    private readonly Dictionary<GrainId, OriginState> _origins = [];
    private readonly Dictionary<GrainId, List<OriginUpdate>> _waiting = [];
    private readonly HashSet<GrainId> _fetching = [];
    private readonly HashSet<GrainId> _failed = [];
    private readonly SemaphoreSlim _fetchSlots = new(MaxConcurrentFetches);
    private readonly CancellationTokenSource _deactivating = new();
    private readonly ObserverManager<IHubObserver> _hubs;
    private readonly LocalObjectStore _store;
    private readonly ILogger<DistributionGrain> _logger;
    private readonly Guid _epoch = Guid.NewGuid();
    private long _sequence;

    public DistributionGrain(LocalObjectStore store, ILogger<DistributionGrain> logger)
    {
        _store = store;
        _logger = logger;
        _hubs = new ObserverManager<IHubObserver>(SubscriptionExpiry, logger);
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(RetryFailedFetches, new GrainTimerCreationOptions(RetryInterval, RetryInterval) { Interleave = true });
        // Not awaited: fetching runs alongside publishes, and origins may be activating themselves.
        LearnFromStoreAsync(_deactivating.Token).Ignore();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _deactivating.CancelAsync();
        _deactivating.Dispose();
    }

    public Task PublishAsync(OriginUpdate update)
    {
        Accept(update);
        return Task.CompletedTask;
    }

    public Task<HubPosition> SubscribeAsync(IHubObserver hub, bool sendSnapshot, IReadOnlyList<GrainId> origins)
    {
        _hubs.Subscribe(hub, hub);
        foreach (var origin in origins)
        {
            if (!_origins.ContainsKey(origin))
            {
                RequestFetch(origin);
            }
        }
        if (sendSnapshot)
        {
            var snapshot = new List<OriginUpdate>(_origins.Count);
            var resources = 0;
            foreach (var (origin, state) in _origins)
            {
                var batches = new List<ResourceBatch>(state.Names.Count);
                foreach (var (table, names) in state.Names)
                {
                    var held = _tables[table];
                    var updated = new List<PublishedResource>(names.Count);
                    foreach (var name in names)
                    {
                        updated.Add(new PublishedResource(name, held[name].Body));
                    }
                    resources += updated.Count;
                    batches.Add(new ResourceBatch(table.TypeUrl, table.Scope, updated, []));
                }
                snapshot.Add(new OriginUpdate(origin, state.Epoch, state.Sequence, Complete: true, batches));
            }
            LogSnapshot(resources, snapshot.Count, _sequence, origins.Count);
            hub.ApplyAsync(new HubUpdate(_epoch, _sequence, snapshot, IsSnapshot: true)).Ignore();
        }
        return Task.FromResult(new HubPosition(_epoch, _sequence));
    }

    public Task UnsubscribeAsync(IHubObserver hub)
    {
        _hubs.Unsubscribe(hub);
        return Task.CompletedTask;
    }

    /// <summary>Applies an origin's update if it is its next one or a newer complete set; otherwise keeps it and repairs the origin.</summary>
    private void Accept(OriginUpdate update)
    {
        var origin = update.Origin;
        _origins.TryGetValue(origin, out var state);
        if (state is not null && state.Epoch == update.Epoch && update.Sequence <= state.Sequence)
        {
            return;
        }
        if (update.Complete)
        {
            Replace(state, update);
        }
        else if (state is not null && state.Epoch == update.Epoch && update.Sequence == state.Sequence + 1)
        {
            Emit(ApplyChange(state, update));
        }
        else
        {
            if (!_waiting.TryGetValue(origin, out var waiting))
            {
                waiting = [];
                _waiting[origin] = waiting;
            }
            if (waiting.Count >= MaxWaiting)
            {
                waiting.Clear();
            }
            waiting.Add(update);
            LogOutOfTurn(origin.ToString(), update.Sequence, state?.Sequence ?? 0, state is not null && state.Epoch == update.Epoch);
            RequestFetch(origin);
            return;
        }
        ApplyWaiting(origin);
    }

    /// <summary>Applies kept updates that are next in line after a repair; asks again if a gap remains.</summary>
    private void ApplyWaiting(GrainId origin)
    {
        if (!_waiting.TryGetValue(origin, out var waiting))
        {
            return;
        }
        var state = _origins[origin];
        // Updates of another epoch come from an activation that is gone, or are covered by the complete set.
        waiting.RemoveAll(u => u.Epoch != state.Epoch || u.Sequence <= state.Sequence);
        waiting.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        var applied = 0;
        while (applied < waiting.Count && waiting[applied].Sequence == state.Sequence + 1)
        {
            Emit(ApplyChange(state, waiting[applied]));
            applied++;
        }
        waiting.RemoveRange(0, applied);
        if (waiting.Count == 0)
        {
            _waiting.Remove(origin);
        }
        else
        {
            RequestFetch(origin);
        }
    }

    /// <summary>Applies an origin's change to the tables; returns what hubs must apply.</summary>
    private OriginUpdate ApplyChange(OriginState state, OriginUpdate update)
    {
        var batches = new List<ResourceBatch>(update.Batches.Count);
        foreach (var batch in update.Batches)
        {
            var key = (batch.TypeUrl, batch.Scope);
            var table = Table(key);
            var names = state.NamesIn(key);
            foreach (var resource in batch.Updated)
            {
                Hold(table, key, update.Origin, resource);
                names.Add(resource.Name);
            }
            var removed = new List<string>(batch.Removed.Count);
            foreach (var name in batch.Removed)
            {
                // A name another origin took over stays: it is that origin's now.
                if (table.TryGetValue(name, out var held) && held.Origin == update.Origin)
                {
                    table.Remove(name);
                    removed.Add(name);
                }
                names.Remove(name);
            }
            batches.Add(batch.Removed.Count == removed.Count ? batch : batch with { Removed = removed });
        }
        state.Sequence = update.Sequence;
        return update with { Batches = batches };
    }

    /// <summary>
    /// Replaces an origin's resources by its complete set. Hubs hold what this activation sent them for an
    /// origin it already knew, so they are sent only the difference; an origin new to this activation is
    /// sent in full, replacing whatever the hubs hold of it.
    /// </summary>
    private void Replace(OriginState? state, OriginUpdate complete)
    {
        var origin = complete.Origin;
        var next = new OriginState(complete.Epoch, complete.Sequence);
        var difference = new List<ResourceBatch>();
        var incoming = new HashSet<(string, string)>();
        foreach (var batch in complete.Batches)
        {
            var key = (batch.TypeUrl, batch.Scope);
            incoming.Add(key);
            var table = Table(key);
            var names = next.NamesIn(key);
            var updated = new List<PublishedResource>();
            foreach (var resource in batch.Updated)
            {
                names.Add(resource.Name);
                if (table.TryGetValue(resource.Name, out var held) && held.Origin == origin && held.Body.AsSpan().SequenceEqual(resource.Body))
                {
                    continue;
                }
                Hold(table, key, origin, resource);
                updated.Add(resource);
            }
            var removed = RemoveOwned(origin, key, state?.Names.GetValueOrDefault(key), keep: names);
            if (updated.Count + removed.Count > 0)
            {
                difference.Add(new ResourceBatch(batch.TypeUrl, batch.Scope, updated, removed));
            }
        }
        foreach (var (key, names) in state?.Names ?? [])
        {
            if (!incoming.Contains(key))
            {
                var removed = RemoveOwned(origin, key, names, keep: null);
                if (removed.Count > 0)
                {
                    difference.Add(new ResourceBatch(key.TypeUrl, key.Scope, [], removed));
                }
            }
        }
        _origins[origin] = next;
        if (state is null)
        {
            LogLearned(origin.ToString(), complete.Batches.Sum(b => b.Updated.Count));
            Emit(complete);
        }
        else if (difference.Count > 0)
        {
            LogReplaced(origin.ToString(), difference.Sum(b => b.Updated.Count), difference.Sum(b => b.Removed.Count));
            Emit(complete with { Complete = false, Batches = difference });
        }
    }

    /// <summary>Removes the names an origin held in a table but no longer has (those still its own).</summary>
    private List<string> RemoveOwned(GrainId origin, (string TypeUrl, string Scope) key, HashSet<string>? before, HashSet<string>? keep)
    {
        var removed = new List<string>();
        if (before is null)
        {
            return removed;
        }
        var table = Table(key);
        foreach (var name in before)
        {
            if (keep?.Contains(name) != true && table.TryGetValue(name, out var held) && held.Origin == origin)
            {
                table.Remove(name);
                removed.Add(name);
            }
        }
        return removed;
    }

    private void Hold(Dictionary<string, HeldResource> table, (string TypeUrl, string Scope) key, GrainId origin, PublishedResource resource)
    {
        if (table.TryGetValue(resource.Name, out var held) && held.Origin != origin && _origins.TryGetValue(held.Origin, out var previous))
        {
            previous.Names.GetValueOrDefault(key)?.Remove(resource.Name);
        }
        table[resource.Name] = new HeldResource(origin, resource.Body);
    }

    private Dictionary<string, HeldResource> Table((string TypeUrl, string Scope) key)
    {
        if (!_tables.TryGetValue(key, out var table))
        {
            table = new Dictionary<string, HeldResource>(StringComparer.Ordinal);
            _tables[key] = table;
        }
        return table;
    }

    private void Emit(OriginUpdate origin)
    {
        var update = new HubUpdate(_epoch, ++_sequence, [origin], IsSnapshot: false);
        _hubs.Notify(hub => hub.ApplyAsync(update));
    }

    /// <summary>Asks an origin for its complete set, unless that is already under way.</summary>
    private void RequestFetch(GrainId origin)
    {
        if (_fetching.Add(origin))
        {
            _failed.Remove(origin);
            FetchAsync(origin).Ignore();
        }
    }

    private async Task FetchAsync(GrainId origin)
    {
        OriginUpdate complete;
        await _fetchSlots.WaitAsync();
        try
        {
            complete = await GrainFactory.GetGrain<IResourceOrigin>(origin).GetResourcesAsync();
        }
        catch (Exception ex)
        {
            // Retried by the timer: the origin's silo may be gone, or the origin not activatable yet.
            LogFetchFailed(origin.ToString(), ex.Message);
            _fetching.Remove(origin);
            _failed.Add(origin);
            return;
        }
        finally
        {
            _fetchSlots.Release();
        }
        _fetching.Remove(origin);
        Accept(complete);
    }

    private Task RetryFailedFetches(CancellationToken cancellationToken)
    {
        foreach (var origin in _failed.ToList())
        {
            RequestFetch(origin);
        }
        return Task.CompletedTask;
    }

    /// <summary>Once this silo's store is synced, asks every namespace it names for its complete set.</summary>
    private async Task LearnFromStoreAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _store.WhenSyncedAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
        {
            return;
        }
        var namespaces = _store.Namespaces();
        foreach (var ns in namespaces)
        {
            var origin = GrainFactory.GetGrain<INamespaceGrain>(GrainKeys.Namespace(ns)).GetGrainId();
            if (!_origins.ContainsKey(origin))
            {
                RequestFetch(origin);
            }
        }
        LogLearning(namespaces.Count);
    }

    /// <summary>What this activation knows of one origin.</summary>
    private sealed class OriginState(Guid epoch, long sequence)
    {
        public Guid Epoch { get; } = epoch;

        public long Sequence { get; set; } = sequence;

        public Dictionary<(string TypeUrl, string Scope), HashSet<string>> Names { get; } = [];

        public HashSet<string> NamesIn((string TypeUrl, string Scope) key)
        {
            if (!Names.TryGetValue(key, out var names))
            {
                names = new HashSet<string>(StringComparer.Ordinal);
                Names[key] = names;
            }
            return names;
        }
    }

    private readonly record struct HeldResource(GrainId Origin, byte[] Body);

    [LoggerMessage(Level = LogLevel.Information, Message = "A hub asked for a snapshot: {Resources} resources of {Origins} origins as of update {Sequence} (it holds {HubOrigins} origins)")]
    private partial void LogSnapshot(int resources, int origins, long sequence, int hubOrigins);

    [LoggerMessage(Level = LogLevel.Information, Message = "Origin {Origin} publish {Sequence} is out of turn (holding {Held}, same epoch: {SameEpoch}); asking it for its complete set")]
    private partial void LogOutOfTurn(string origin, long sequence, long held, bool sameEpoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Learned origin {Origin}: {Resources} resources")]
    private partial void LogLearned(string origin, int resources);

    [LoggerMessage(Level = LogLevel.Information, Message = "Origin {Origin} replaced its resources: {Updated} updated, {Removed} removed")]
    private partial void LogReplaced(string origin, int updated, int removed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetching the resources of origin {Origin} failed, will retry: {Reason}")]
    private partial void LogFetchFailed(string origin, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Asking the {Namespaces} namespaces of the local store for their resources")]
    private partial void LogLearning(int namespaces);
}
