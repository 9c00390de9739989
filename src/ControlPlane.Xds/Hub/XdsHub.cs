using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using ControlPlane.Xds.Compatibility;
using ControlPlane.Xds.Proxy;
using ControlPlane.Xds.Resources;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Xds.Hub;

/// <summary>
/// The per-silo distribution point: holds a <see cref="ResourceTable"/> per type URL and scope,
/// takes <see cref="ResourceDelta"/>s from producers, coalesces bursts (a quiet period capped by a
/// maximum delay; an isolated change is committed at once), commits them to the tables and tells every
/// listening stream which names moved.
/// Proxies that need an older form of a type are served from variant tables (one per compatibility
/// level in use) that the hub keeps in step with the published table.
/// </summary>
public sealed partial class XdsHub : BackgroundService
{
    private readonly ConcurrentDictionary<TableKey, ResourceTable> _tables = new();
    private readonly Channel<(IReadOnlyList<ResourceDelta> Deltas, long Timestamp)> _incoming =
        Channel.CreateUnbounded<(IReadOnlyList<ResourceDelta>, long)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _listenersGate = new();

    // Markers queued by FlushAsync: completed once everything queued before them is committed.
    private readonly ConcurrentDictionary<ResourceDelta, TaskCompletionSource> _flushes = new(ReferenceEqualityComparer.Instance);

    // Guards table mutations against variant tables being created (and filled) concurrently.
    private readonly Lock _commitGate = new();
    private readonly Dictionary<TableKey, List<ResourceTable>> _variants = [];
    private readonly XdsOptions _options;
    private readonly ILogger<XdsHub> _logger;
    private IPushListener[] _listeners = [];
    private long _version;

    public XdsHub(IOptions<XdsOptions> options, ILogger<XdsHub> logger)
        : this(options, logger, new LatestOnlyCompatibility())
    {
    }

    public XdsHub(IOptions<XdsOptions> options, ILogger<XdsHub> logger, IResourceCompatibility compatibility)
    {
        _options = options.Value;
        _logger = logger;
        Compatibility = compatibility;
    }

    /// <summary>Decides which compatibility level each proxy is served at, and adapts resources to it.</summary>
    public IResourceCompatibility Compatibility { get; }

    /// <summary>Number of batches committed so far.</summary>
    public long Version => Volatile.Read(ref _version);

    /// <summary>Number of streams listening.</summary>
    public int ListenerCount => Volatile.Read(ref _listeners).Length;

    /// <summary>Raised after each commit, once listeners were notified (metrics, tests, benchmarks).</summary>
    public event Action<PushBatch>? Committed;

    /// <summary>
    /// The table for a key; a key with a compatibility level gets a variant table, created on first use
    /// from the published table and kept in step with it from then on.
    /// </summary>
    public ResourceTable GetTable(TableKey key)
    {
        if (key.Level.Length == 0)
        {
            return _tables.GetOrAdd(key, static k => new ResourceTable(k));
        }
        if (_tables.TryGetValue(key, out var existing))
        {
            return existing;
        }
        lock (_commitGate)
        {
            if (_tables.TryGetValue(key, out existing))
            {
                return existing;
            }
            var published = _tables.GetOrAdd(key.Published, static k => new ResourceTable(k));
            var variant = new ResourceTable(key);
            // Revision 0: no batch will ever announce these entries on the new table, so every stream
            // reading it must see them (see ResourceTable.Entry).
            foreach (var resource in published.All)
            {
                ApplyVariant(variant, resource, revision: 0);
            }
            if (!_variants.TryGetValue(key.Published, out var variants))
            {
                variants = [];
                _variants[key.Published] = variants;
            }
            variants.Add(variant);
            _tables[key] = variant;
            LogVariantCreated(key.ToString(), variant.Count);
            return variant;
        }
    }

    /// <summary>The table a proxy is served <paramref name="typeUrl"/> from: the scope's, at the proxy's compatibility level.</summary>
    public ResourceTable GetTableFor(ProxyNode proxy, string typeUrl, string scope) =>
        GetTable(new TableKey(typeUrl, scope, Compatibility.SelectLevel(proxy, typeUrl)));

    public ResourceTable GetTable(string typeUrl) => GetTable(TableKey.Global(typeUrl));

    /// <summary>The table of <paramref name="key"/> if it exists (never creates one, nor a variant).</summary>
    public bool TryGetTable(TableKey key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ResourceTable? table) =>
        _tables.TryGetValue(key, out table);

    public IReadOnlyCollection<ResourceTable> Tables => (IReadOnlyCollection<ResourceTable>)_tables.Values;

    /// <summary>Queues a change; it reaches the tables and streams with the next batch.</summary>
    public void Publish(ResourceDelta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        Publish([delta]);
    }

    /// <summary>
    /// Queues changes that must reach streams together (e.g. a waypoint's clusters and the listeners
    /// that use them): they are never split across batches, so a stream writes them in one round, in
    /// push order.
    /// </summary>
    public void Publish(IReadOnlyList<ResourceDelta> deltas)
    {
        ArgumentNullException.ThrowIfNull(deltas);
        foreach (var delta in deltas)
        {
            ArgumentNullException.ThrowIfNull(delta);
            foreach (var resource in delta.Updated)
            {
                if (resource.TypeUrl != delta.TypeUrl)
                {
                    throw new ArgumentException(
                        $"resource {resource.Name} is a {resource.TypeUrl}, not a {delta.TypeUrl}", nameof(deltas));
                }
            }
        }
        if (deltas.Count > 0)
        {
            _incoming.Writer.TryWrite((deltas, Stopwatch.GetTimestamp()));
        }
    }

    /// <summary>
    /// Completes once every delta published before this call has been committed to the tables and every
    /// listener has been told of it.
    /// </summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        var marker = new ResourceDelta(string.Empty, string.Empty, [], []);
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _flushes[marker] = flushed;
        _incoming.Writer.TryWrite(([marker], Stopwatch.GetTimestamp()));
        return flushed.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Adds a listener. <paramref name="version"/> is the last batch it will not hear of: every batch
    /// after it is passed to <see cref="IPushListener.OnPush"/>, everything up to it is already in the tables.
    /// </summary>
    public IDisposable Subscribe(IPushListener listener, out long version)
    {
        lock (_listenersGate)
        {
            _listeners = [.. _listeners, listener];
            version = _version;
        }
        return new Subscription(this, listener);
    }

    private void Unsubscribe(IPushListener listener)
    {
        lock (_listenersGate)
        {
            _listeners = Array.FindAll(_listeners, l => !ReferenceEquals(l, listener));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _incoming.Reader;
        var pending = new List<(IReadOnlyList<ResourceDelta> Deltas, long Timestamp)>();
        var quiet = TimeSpan.FromMilliseconds(_options.DebounceMilliseconds);
        var maxDelay = TimeSpan.FromMilliseconds(Math.Max(_options.DebounceMilliseconds, _options.MaxDebounceMilliseconds));
        // Starting counts as activity: the initial load arrives in bursts.
        var lastCommit = Stopwatch.GetTimestamp();
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                var started = Stopwatch.GetTimestamp();
                Drain(reader, pending);
                // An isolated change (nothing committed for as long as a change may wait) waits for nothing:
                // coalescing pays off only for changes that follow others, and this adds at most one push
                // per maximum delay.
                var isolated = Stopwatch.GetElapsedTime(lastCommit, started) >= maxDelay;
                while (quiet > TimeSpan.Zero && !isolated)
                {
                    var left = maxDelay - Stopwatch.GetElapsedTime(started);
                    if (left <= TimeSpan.Zero)
                    {
                        break;
                    }
                    using var window = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    window.CancelAfter(left < quiet ? left : quiet);
                    try
                    {
                        if (!await reader.WaitToReadAsync(window.Token).ConfigureAwait(false))
                        {
                            break;
                        }
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                        break;
                    }
                    Drain(reader, pending);
                }
                Commit(pending);
                pending.Clear();
                lastCommit = Stopwatch.GetTimestamp();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static void Drain(
        ChannelReader<(IReadOnlyList<ResourceDelta>, long)> reader, List<(IReadOnlyList<ResourceDelta>, long)> pending)
    {
        while (reader.TryRead(out var item))
        {
            pending.Add(item);
        }
    }

    private void Commit(List<(IReadOnlyList<ResourceDelta> Deltas, long Timestamp)> pending)
    {
        // The final state of every name the batch touches (null = removed), per table, in publish order:
        // a resource changed and changed back within one batch is no change at all.
        var finals = new Dictionary<TableKey, Dictionary<string, XdsResource?>>();
        var oldest = long.MaxValue;
        List<TaskCompletionSource>? flushed = null;
        foreach (var (deltas, timestamp) in pending)
        {
            foreach (var delta in deltas)
            {
                if (_flushes.TryRemove(delta, out var flush))
                {
                    (flushed ??= []).Add(flush);
                    continue;
                }
                oldest = Math.Min(oldest, timestamp);
                var key = new TableKey(delta.TypeUrl, delta.Scope);
                if (!finals.TryGetValue(key, out var states))
                {
                    states = new Dictionary<string, XdsResource?>(StringComparer.Ordinal);
                    finals[key] = states;
                }
                foreach (var resource in delta.Updated)
                {
                    states[resource.Name] = resource;
                }
                foreach (var name in delta.Removed)
                {
                    states[name] = null;
                }
            }
        }
        var version = _version + 1;
        var changes = new List<TableChange>(finals.Count);
        lock (_commitGate)
        {
            foreach (var (key, states) in finals)
            {
                Apply(GetTable(key), _variants.GetValueOrDefault(key), states, version, changes);
            }
        }
        if (changes.Count == 0)
        {
            Complete(flushed);
            return;
        }
        var batch = new PushBatch(version, changes, oldest);
        IPushListener[] listeners;
        lock (_listenersGate)
        {
            // Published under the listeners' lock: a listener added later learns this version from
            // Subscribe and is not told of the batch, one added earlier is.
            Volatile.Write(ref _version, version);
            listeners = _listeners;
        }
        foreach (var listener in listeners)
        {
            try
            {
                listener.OnPush(batch);
            }
            catch (Exception ex)
            {
                LogListenerFailed(ex);
            }
        }
        LogCommitted(batch.Version, changes.Count, listeners.Length);
        Committed?.Invoke(batch);
        Complete(flushed);
    }

    /// <summary>Applies the final states to a published table and its variants, adding what changed to <paramref name="changes"/>.</summary>
    private void Apply(
        ResourceTable table, List<ResourceTable>? variants, Dictionary<string, XdsResource?> states, long version, List<TableChange> changes)
    {
        var updated = new List<XdsResource>();
        var removed = new List<string>();
        var variantUpdated = new List<XdsResource>[variants?.Count ?? 0];
        var variantRemoved = new List<string>[variantUpdated.Length];
        for (var i = 0; i < variantUpdated.Length; i++)
        {
            variantUpdated[i] = [];
            variantRemoved[i] = [];
        }
        foreach (var (name, resource) in states)
        {
            if (resource is null ? !table.Remove(name) : !table.Set(resource, version))
            {
                continue;
            }
            if (resource is null)
            {
                removed.Add(name);
            }
            else
            {
                updated.Add(resource);
            }
            for (var i = 0; i < variantUpdated.Length; i++)
            {
                var variant = variants![i];
                if (resource is null)
                {
                    if (variant.Remove(name))
                    {
                        variantRemoved[i].Add(name);
                    }
                }
                else if (ApplyVariant(variant, resource, version) is var (changed, stored) && changed)
                {
                    if (stored is null)
                    {
                        variantRemoved[i].Add(name);
                    }
                    else
                    {
                        variantUpdated[i].Add(stored);
                    }
                }
            }
        }
        if (updated.Count + removed.Count > 0)
        {
            changes.Add(new TableChange(table, updated, removed));
        }
        for (var i = 0; i < variantUpdated.Length; i++)
        {
            if (variantUpdated[i].Count + variantRemoved[i].Count > 0)
            {
                changes.Add(new TableChange(variants![i], variantUpdated[i], variantRemoved[i]));
            }
        }
    }

    private static void Complete(List<TaskCompletionSource>? flushed)
    {
        foreach (var flush in flushed ?? [])
        {
            flush.TrySetResult();
        }
    }

    /// <summary>
    /// Stores the variant of a published resource in a variant table: whether the table changed, and what
    /// it now holds under that name (null: the resource is omitted at this level).
    /// </summary>
    private (bool Changed, XdsResource? Stored) ApplyVariant(ResourceTable variant, XdsResource resource, long revision)
    {
        var adapted = Compatibility.Adapt(resource.TypeUrl, variant.Key.Level, resource.Name, resource.Body);
        switch (adapted.Kind)
        {
            case ResourceVariantKind.Replaced:
                var replaced = new XdsResource(resource.TypeUrl, resource.Name, adapted.Body!);
                return (variant.Set(replaced, revision), replaced);
            case ResourceVariantKind.Omitted:
                return (variant.Remove(resource.Name), null);
            default:
                return (variant.Set(resource, revision), resource);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A stream failed to take a push batch")]
    private partial void LogListenerFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving {Table} to proxies at that compatibility level ({Resources} resources)")]
    private partial void LogVariantCreated(string table, int resources);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Committed push {Version}: {Tables} tables changed, {Listeners} streams notified")]
    private partial void LogCommitted(long version, int tables, int listeners);

    private sealed class Subscription(XdsHub hub, IPushListener listener) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                hub.Unsubscribe(listener);
            }
        }
    }
}
