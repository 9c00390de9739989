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
/// maximum delay), commits them to the tables and tells every listening stream which names moved.
/// Proxies that need an older form of a type are served from variant tables (one per compatibility
/// level in use) that the hub keeps in step with the published table.
/// </summary>
public sealed partial class XdsHub : BackgroundService
{
    private readonly ConcurrentDictionary<TableKey, ResourceTable> _tables = new();
    private readonly Channel<(ResourceDelta Delta, long Timestamp)> _incoming =
        Channel.CreateUnbounded<(ResourceDelta, long)>(new UnboundedChannelOptions { SingleReader = true });
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
            foreach (var resource in published.All)
            {
                ApplyVariant(variant, resource);
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

    /// <summary>The table of <paramref name="key"/> if it exists (never creates one).</summary>
    public bool TryGetTable(TableKey key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ResourceTable? table) =>
        _tables.TryGetValue(key, out table);

    public IReadOnlyCollection<ResourceTable> Tables => (IReadOnlyCollection<ResourceTable>)_tables.Values;

    /// <summary>Queues a change; it reaches the tables and streams with the next batch.</summary>
    public void Publish(ResourceDelta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        foreach (var resource in delta.Updated)
        {
            if (resource.TypeUrl != delta.TypeUrl)
            {
                throw new ArgumentException(
                    $"resource {resource.Name} is a {resource.TypeUrl}, not a {delta.TypeUrl}", nameof(delta));
            }
        }
        _incoming.Writer.TryWrite((delta, Stopwatch.GetTimestamp()));
    }

    /// <summary>Completes once every delta published before this call has been committed to the tables.</summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        var marker = new ResourceDelta(string.Empty, string.Empty, [], []);
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _flushes[marker] = flushed;
        _incoming.Writer.TryWrite((marker, Stopwatch.GetTimestamp()));
        return flushed.Task.WaitAsync(cancellationToken);
    }

    public IDisposable Subscribe(IPushListener listener)
    {
        lock (_listenersGate)
        {
            _listeners = [.. _listeners, listener];
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
        var pending = new List<(ResourceDelta Delta, long Timestamp)>();
        var quiet = TimeSpan.FromMilliseconds(_options.DebounceMilliseconds);
        var maxDelay = TimeSpan.FromMilliseconds(Math.Max(_options.DebounceMilliseconds, _options.MaxDebounceMilliseconds));
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                var started = Stopwatch.GetTimestamp();
                Drain(reader, pending);
                while (quiet > TimeSpan.Zero)
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
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static void Drain(ChannelReader<(ResourceDelta, long)> reader, List<(ResourceDelta, long)> pending)
    {
        while (reader.TryRead(out var item))
        {
            pending.Add(item);
        }
    }

    private void Commit(List<(ResourceDelta Delta, long Timestamp)> pending)
    {
        var changed = new Dictionary<TableKey, HashSet<string>>();
        var oldest = long.MaxValue;
        List<TaskCompletionSource>? flushed = null;
        lock (_commitGate)
        {
            foreach (var (delta, timestamp) in pending)
            {
                if (_flushes.TryRemove(delta, out var flush))
                {
                    (flushed ??= []).Add(flush);
                    continue;
                }
                oldest = Math.Min(oldest, timestamp);
                var key = new TableKey(delta.TypeUrl, delta.Scope);
                var table = GetTable(key);
                var variants = _variants.GetValueOrDefault(key);
                foreach (var resource in delta.Updated)
                {
                    if (!table.Set(resource))
                    {
                        continue;
                    }
                    NamesFor(changed, key).Add(resource.Name);
                    foreach (var variant in variants ?? [])
                    {
                        if (ApplyVariant(variant, resource))
                        {
                            NamesFor(changed, variant.Key).Add(resource.Name);
                        }
                    }
                }
                foreach (var name in delta.Removed)
                {
                    if (!table.Remove(name))
                    {
                        continue;
                    }
                    NamesFor(changed, key).Add(name);
                    foreach (var variant in variants ?? [])
                    {
                        if (variant.Remove(name))
                        {
                            NamesFor(changed, variant.Key).Add(name);
                        }
                    }
                }
            }
        }
        if (changed.Count == 0)
        {
            Complete(flushed);
            return;
        }
        var changes = new List<TableChange>(changed.Count);
        foreach (var (key, names) in changed)
        {
            changes.Add(new TableChange(key, names));
        }
        var batch = new PushBatch(Interlocked.Increment(ref _version), changes, oldest);
        var listeners = Volatile.Read(ref _listeners);
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

    private static void Complete(List<TaskCompletionSource>? flushed)
    {
        foreach (var flush in flushed ?? [])
        {
            flush.TrySetResult();
        }
    }

    /// <summary>Stores the variant of a published resource in a variant table; true when the table changed.</summary>
    private bool ApplyVariant(ResourceTable variant, XdsResource resource)
    {
        var adapted = Compatibility.Adapt(resource.TypeUrl, variant.Key.Level, resource.Name, resource.Body);
        return adapted.Kind switch
        {
            ResourceVariantKind.Replaced => variant.Set(new XdsResource(resource.TypeUrl, resource.Name, adapted.Body!)),
            ResourceVariantKind.Omitted => variant.Remove(resource.Name),
            _ => variant.Set(resource),
        };
    }

    private static HashSet<string> NamesFor(Dictionary<TableKey, HashSet<string>> changed, TableKey key)
    {
        if (!changed.TryGetValue(key, out var names))
        {
            names = new HashSet<string>(StringComparer.Ordinal);
            changed[key] = names;
        }
        return names;
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
