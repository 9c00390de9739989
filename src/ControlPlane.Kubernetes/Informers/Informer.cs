using System.Diagnostics;
using System.Threading.Channels;
using ControlPlane.Kubernetes.Api;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Kubernetes.Informers;

/// <summary>
/// Lists and watches one resource of one cluster and delivers changes of the projected objects
/// (<typeparamref name="T"/>: the records the grains use, or remote-cluster secrets) in batches.
/// <para>
/// It keeps what it delivered per object (resourceVersion and projected value), so a relist after a
/// 410 delivers only real differences, a restart against a new client keeps the cluster's state, and
/// <see cref="ForgetAllAsync"/> can delete exactly this informer's objects. A batch is committed to
/// that cache only after the consumer accepted it: if delivery fails, the watch resumes from the last
/// committed resourceVersion and the same changes are delivered again.
/// </para>
/// </summary>
public sealed class Informer<T> : IInformer
    where T : class
{
    private static readonly TimeSpan ShortWatch = TimeSpan.FromSeconds(1);

    private readonly string _cluster;
    private readonly string? _namespace;
    private readonly Func<KubeObject, T?> _project;
    private readonly Func<IReadOnlyList<InformerChange<T>>, CancellationToken, Task> _deliver;
    private readonly KubernetesOptions _options;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _statusGate = new();

    // Written only by the run loop (which reads it without the lock); others read under _cacheGate.
    private readonly Lock _cacheGate = new();
    private Dictionary<(string Namespace, string Name), Entry> _cache = [];
    private int _invalid;
    private string? _resourceVersion;
    private InformerStatus _status;

    /// <param name="project">Object → projected value; null for objects that yield nothing. Throwing marks the object invalid.</param>
    /// <param name="deliver">Receives each batch of changes; throwing makes the informer retry the batch.</param>
    public Informer(
        KubeResource resource,
        string cluster,
        string? ns,
        Func<KubeObject, T?> project,
        Func<IReadOnlyList<InformerChange<T>>, CancellationToken, Task> deliver,
        KubernetesOptions options,
        ILogger logger)
    {
        Resource = resource;
        _cluster = cluster;
        _namespace = ns;
        _project = project;
        _deliver = deliver;
        _options = options;
        _logger = logger;
        _status = new InformerStatus { Resource = resource.ToString() };
    }

    public KubeResource Resource { get; }

    public Task Synced => _synced.Task;

    public InformerStatus Status
    {
        get
        {
            lock (_statusGate)
            {
                return _status;
            }
        }
    }

    /// <summary>The values currently held (delivered and not deleted).</summary>
    public IReadOnlyList<T> Values
    {
        get
        {
            lock (_cacheGate)
            {
                return [.. _cache.Values.Select(e => e.Value).OfType<T>()];
            }
        }
    }

    public async Task RunAsync(KubeApiClient api, CancellationToken cancellationToken)
    {
        // A new connection (first start, or a restart with a new kubeconfig) always starts with a list.
        _resourceVersion = null;
        var backoff = new Backoff(TimeSpan.FromMilliseconds(_options.InitialBackoffMilliseconds), TimeSpan.FromMilliseconds(_options.MaxBackoffMilliseconds));
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    if (_resourceVersion is null)
                    {
                        if (!await ListAsync(api, cancellationToken).ConfigureAwait(false))
                        {
                            await Task.Delay(TimeSpan.FromSeconds(_options.NotInstalledRetrySeconds), cancellationToken).ConfigureAwait(false);
                            continue;
                        }
                        backoff.Reset();
                    }
                    var started = Stopwatch.GetTimestamp();
                    var events = await WatchAsync(api, cancellationToken).ConfigureAwait(false);
                    if (events == 0 && Stopwatch.GetElapsedTime(started) < ShortWatch && _resourceVersion is not null)
                    {
                        // A watch that ends at once without events (a misbehaving proxy) must not spin.
                        await Task.Delay(backoff.Next(), cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        backoff.Reset();
                    }
                }
                catch (KubeApiException ex) when (ex.IsExpired && _resourceVersion is not null)
                {
                    _logger.Expired(_cluster, Resource.ToString(), _resourceVersion);
                    _resourceVersion = null;
                }
                catch (KubeApiException ex) when (ex.IsNotFound && Resource.CustomResource && _resourceVersion is not null)
                {
                    // The CRD went away while watched: the list reports it and deletes what was held.
                    _resourceVersion = null;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    var delay = backoff.Next();
                    var error = Describe(ex);
                    UpdateStatus(s => s with { Healthy = false, LastError = error, LastErrorAt = DateTimeOffset.UtcNow });
                    _logger.Failed(_cluster, Resource.ToString(), error, (long)delay.TotalMilliseconds, _cache.Count);
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public async Task ForgetAllAsync(CancellationToken cancellationToken)
    {
        var changes = _cache
            .Where(e => e.Value.Value is not null)
            .Select(e => new InformerChange<T>(e.Key.Namespace, e.Key.Name, e.Value.Value, null))
            .ToList();
        if (changes.Count > 0)
        {
            await _deliver(changes, cancellationToken).ConfigureAwait(false);
        }
        lock (_cacheGate)
        {
            _cache = [];
            _invalid = 0;
        }
        _resourceVersion = null;
        UpdateStatus(s => s with { Objects = 0, Invalid = 0, ResourceVersion = null });
    }

    /// <summary>Lists and delivers the differences to what is held. False when the CRD is not installed.</summary>
    private async Task<bool> ListAsync(KubeApiClient api, CancellationToken cancellationToken)
    {
        KubeList list;
        var installed = true;
        try
        {
            list = await api.ListAsync(Resource, _namespace, _options.ListPageSize, cancellationToken).ConfigureAwait(false);
        }
        catch (KubeApiException ex) when (ex.IsNotFound && Resource.CustomResource)
        {
            // Not installed (or removed): nothing of it exists; delete what was held, if anything.
            list = new KubeList([], string.Empty);
            installed = false;
        }
        var next = new Dictionary<(string, string), Entry>(list.Items.Count);
        var invalid = 0;
        foreach (var item in list.Items)
        {
            var key = (item.Namespace, item.Name);
            _cache.TryGetValue(key, out var held);
            if (held is not null && held.ResourceVersion == item.ResourceVersion)
            {
                next[key] = held;
            }
            else
            {
                next[key] = Project(item, held);
            }
            invalid += next[key].Invalid ? 1 : 0;
        }
        var changes = new List<InformerChange<T>>();
        foreach (var (key, entry) in next)
        {
            _cache.TryGetValue(key, out var held);
            if (!EqualityComparer<T?>.Default.Equals(held?.Value, entry.Value))
            {
                changes.Add(new InformerChange<T>(key.Item1, key.Item2, held?.Value, entry.Value));
            }
        }
        foreach (var (key, held) in _cache)
        {
            if (!next.ContainsKey(key) && held.Value is not null)
            {
                changes.Add(new InformerChange<T>(key.Namespace, key.Name, held.Value, null));
            }
        }
        await DeliverAsync(changes, cancellationToken).ConfigureAwait(false);
        var relist = Status.Lists > 0;
        lock (_cacheGate)
        {
            _cache = next;
            _invalid = invalid;
        }
        _resourceVersion = installed ? list.ResourceVersion : null;
        UpdateStatus(s => s with
        {
            Synced = true,
            Installed = installed,
            Healthy = true,
            Objects = next.Count,
            Invalid = invalid,
            ResourceVersion = _resourceVersion,
            Lists = s.Lists + 1,
            Delivered = s.Delivered + changes.Count,
        });
        if (!installed)
        {
            _logger.NotInstalled(_cluster, Resource.ToString(), _options.NotInstalledRetrySeconds);
        }
        else if (relist)
        {
            _logger.Relisted(_cluster, Resource.ToString(), changes.Count);
        }
        else
        {
            _logger.Synced(_cluster, Resource.ToString(), next.Count, list.ResourceVersion);
        }
        _synced.TrySetResult();
        return installed;
    }

    /// <summary>Watches from the held resourceVersion until the stream ends; returns how many events it saw.</summary>
    private async Task<int> WatchAsync(KubeApiClient api, CancellationToken cancellationToken)
    {
        var timeoutSeconds = _options.WatchTimeoutSeconds + Random.Shared.Next(_options.WatchTimeoutSeconds + 1);
        using var watchCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The server ends the watch after timeoutSeconds; a silent connection is given up a little later.
        watchCts.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds + _options.RequestTimeoutSeconds));
        using var stream = await api.WatchAsync(Resource, _namespace, _resourceVersion!, timeoutSeconds, watchCts.Token).ConfigureAwait(false);
        UpdateStatus(s => s with { Healthy = true, Watches = s.Watches + 1 });

        var channel = Channel.CreateBounded<WatchEvent>(new BoundedChannelOptions(_options.MaxBatchSize) { SingleReader = true, SingleWriter = true });
        var pump = PumpAsync(stream, channel.Writer, watchCts.Token);
        var events = 0;
        var batch = new List<WatchEvent>(_options.MaxBatchSize);
        try
        {
            while (await channel.Reader.WaitToReadAsync(watchCts.Token).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < _options.MaxBatchSize && channel.Reader.TryRead(out var e))
                {
                    batch.Add(e);
                }
                events += batch.Count;
                // Delivery is not cut short by the watch's own timeout, only by shutdown.
                if (!await ApplyAsync(batch, cancellationToken).ConfigureAwait(false))
                {
                    return events;
                }
            }
        }
        finally
        {
            await watchCts.CancelAsync().ConfigureAwait(false);
            await pump.ConfigureAwait(false);
        }
        return events;
    }

    private static async Task PumpAsync(WatchStream stream, ChannelWriter<WatchEvent> writer, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            while (await stream.ReadAsync(cancellationToken).ConfigureAwait(false) is { } e)
            {
                await writer.WriteAsync(e, cancellationToken).ConfigureAwait(false);
            }
            writer.TryComplete();
        }
        catch (Exception ex)
        {
            writer.TryComplete(ex);
        }
    }

    /// <summary>Applies a batch of watch events; false when the watch must stop for a relist (410).</summary>
    private async Task<bool> ApplyAsync(List<WatchEvent> batch, CancellationToken cancellationToken)
    {
        var staged = new Dictionary<(string, string), Entry?>();
        var version = _resourceVersion;
        var expired = false;
        var received = 0;
        foreach (var e in batch)
        {
            received += e.Type is WatchEventType.Added or WatchEventType.Modified or WatchEventType.Deleted ? 1 : 0;
            switch (e.Type)
            {
                case WatchEventType.Bookmark:
                    version = e.ResourceVersion ?? version;
                    break;
                case WatchEventType.Error when e.Status!.IsExpired:
                    expired = true;
                    break;
                case WatchEventType.Error:
                    throw e.Status!;
                case WatchEventType.Deleted:
                    staged[(e.Object!.Namespace, e.Object.Name)] = null;
                    version = e.Object.ResourceVersion;
                    break;
                default:
                    var obj = e.Object!;
                    var key = (obj.Namespace, obj.Name);
                    var held = staged.TryGetValue(key, out var s) ? s : _cache.GetValueOrDefault(key);
                    staged[key] = Project(obj, held);
                    version = obj.ResourceVersion;
                    break;
            }
            if (expired)
            {
                break;
            }
        }
        var changes = new List<InformerChange<T>>();
        foreach (var (key, entry) in staged)
        {
            var before = _cache.GetValueOrDefault(key)?.Value;
            if (!EqualityComparer<T?>.Default.Equals(before, entry?.Value))
            {
                changes.Add(new InformerChange<T>(key.Item1, key.Item2, before, entry?.Value));
            }
        }
        await DeliverAsync(changes, cancellationToken).ConfigureAwait(false);

        // Only the touched keys change: a batch costs what it carries, not the size of the cache.
        lock (_cacheGate)
        {
            foreach (var (key, entry) in staged)
            {
                if (_cache.Remove(key, out var held) && held.Invalid)
                {
                    _invalid--;
                }
                if (entry is not null)
                {
                    _cache[key] = entry;
                    _invalid += entry.Invalid ? 1 : 0;
                }
            }
        }
        if (expired)
        {
            _logger.Expired(_cluster, Resource.ToString(), version ?? "?");
            _resourceVersion = null;
        }
        else
        {
            _resourceVersion = version;
        }
        UpdateStatus(s => s with
        {
            Objects = _cache.Count,
            Invalid = _invalid,
            ResourceVersion = version,
            Events = s.Events + received,
            Delivered = s.Delivered + changes.Count,
        });
        return !expired;
    }

    private async Task DeliverAsync(List<InformerChange<T>> changes, CancellationToken cancellationToken)
    {
        if (changes.Count == 0)
        {
            return;
        }
        await _deliver(changes, cancellationToken).ConfigureAwait(false);
        _logger.Delivered(_cluster, Resource.ToString(), changes.Count);
    }

    /// <summary>Projects an object; when it does not convert, keeps what was held before (or nothing).</summary>
    private Entry Project(KubeObject obj, Entry? held)
    {
        try
        {
            return new Entry(obj.ResourceVersion, _project(obj), Invalid: false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.InvalidObject(_cluster, Resource.Kind, obj.Namespace.Length == 0 ? obj.Name : $"{obj.Namespace}/{obj.Name}",
                Describe(ex), held?.Value is null ? "skipped" : "keeping its last good version");
            return new Entry(obj.ResourceVersion, held?.Value, Invalid: true);
        }
    }

    private void UpdateStatus(Func<InformerStatus, InformerStatus> update)
    {
        lock (_statusGate)
        {
            _status = update(_status);
        }
    }

    /// <summary>The innermost message, first line only: enough to act on, never an object's content.</summary>
    private static string Describe(Exception ex)
    {
        var inner = ex;
        while (inner.InnerException is not null && ex is not KubeApiException)
        {
            inner = inner.InnerException;
        }
        var message = inner.Message;
        var newline = message.IndexOf('\n', StringComparison.Ordinal);
        message = newline < 0 ? message : message[..newline];
        return ex is OperationCanceledException ? "timed out" : $"{ex.GetType().Name}: {message}";
    }

    private sealed record Entry(string ResourceVersion, T? Value, bool Invalid);
}
