using System.Net;
using System.Threading.Channels;
using ControlPlane.Ambient.Model;
using ControlPlane.Ca.Signing;
using ControlPlane.Kubernetes.Clusters;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Ca.Distribution;

/// <summary>
/// In Kubernetes, keeps the ConfigMap <c>istio-ca-root-cert</c> (key <c>root-cert.pem</c>, label
/// <c>istio.io/config=true</c>) current in every namespace of the local cluster, as istiod's namespace
/// controller does: namespaces come from the same object changes the sources deliver to the grains; the
/// ConfigMaps themselves are watched, so one that is edited or deleted is put back at once; when the CA is
/// replaced (a reloaded plugged-in CA), every namespace gets the new roots. Terminating
/// namespaces and Kubernetes' own (kube-public, kube-node-lease, local-path-storage) are skipped.
/// </summary>
public sealed partial class RootCertConfigMapPublisher : BackgroundService, IObjectSink
{
    public const string ConfigMapName = "istio-ca-root-cert";
    public const string DataKey = "root-cert.pem";
    public const string LabelKey = "istio.io/config";

    private static readonly HashSet<string> Ignored = new(StringComparer.Ordinal) { "kube-public", "kube-node-lease", "local-path-storage" };
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly CaProvider _ca;
    private readonly IClusterClients? _clusters;
    private readonly string _localCluster;
    private readonly TimeProvider _time;
    private readonly ILogger<RootCertConfigMapPublisher> _logger;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _namespaces = new(StringComparer.Ordinal);
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private volatile string _root = string.Empty;

    public RootCertConfigMapPublisher(CaProvider ca, IEnumerable<IClusterClients> clusters, MeshSettings mesh, TimeProvider time, ILogger<RootCertConfigMapPublisher> logger)
    {
        _ca = ca;
        _clusters = clusters.FirstOrDefault();
        _localCluster = mesh.ClusterId;
        _time = time;
        _logger = logger;
    }

    /// <summary>Namespaces whose ConfigMap is kept (for diagnostics and tests).</summary>
    public IReadOnlyCollection<string> Namespaces
    {
        get
        {
            lock (_gate)
            {
                return [.. _namespaces];
            }
        }
    }

    public Task ApplyAsync(IReadOnlyList<ObjectChange> changes, CancellationToken cancellationToken)
    {
        if (_clusters is null)
        {
            return Task.CompletedTask;
        }
        lock (_gate)
        {
            foreach (var change in changes)
            {
                if (change.Key.Kind != Kinds.Namespace || change.Key.Cluster != _localCluster || Ignored.Contains(change.Key.Name))
                {
                    continue;
                }
                if (change.Object is { Meta.Deleting: false })
                {
                    if (_namespaces.Add(change.Key.Name))
                    {
                        _queue.Writer.TryWrite(change.Key.Name);
                    }
                }
                else
                {
                    _namespaces.Remove(change.Key.Name);
                }
            }
        }
        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_clusters is null)
        {
            return;
        }
        CertificateAuthority authority;
        try
        {
            authority = await _ca.GetAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        _root = authority.RootBundlePem;
        var client = _clusters.Local;
        await Task.WhenAll(
            ReconcileLoopAsync(client, stoppingToken),
            WatchLoopAsync(client, stoppingToken),
            FollowReplacementsAsync(authority, stoppingToken)).ConfigureAwait(false);
    }

    /// <summary>A replaced CA with other roots puts every namespace back in the queue.</summary>
    private async Task FollowReplacementsAsync(CertificateAuthority authority, CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await _ca.ReplacedAfter(authority).WaitAsync(stoppingToken).ConfigureAwait(false);
                authority = await _ca.GetAsync(stoppingToken).ConfigureAwait(false);
                if (authority.RootBundlePem == _root)
                {
                    continue;
                }
                _root = authority.RootBundlePem;
                LogRootReplaced();
                foreach (var ns in Namespaces)
                {
                    _queue.Writer.TryWrite(ns);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ReconcileLoopAsync(IKubernetes client, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var ns in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                bool wanted;
                lock (_gate)
                {
                    wanted = _namespaces.Contains(ns);
                }
                if (wanted && !await ReconcileAsync(client, ns, _root, stoppingToken).ConfigureAwait(false))
                {
                    // Retry later without holding up the other namespaces.
                    _ = RequeueAfterAsync(ns, TimeSpan.FromSeconds(2), stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Creates or corrects one namespace's ConfigMap; false when it should be retried.</summary>
    private async Task<bool> ReconcileAsync(IKubernetes client, string ns, string root, CancellationToken cancellationToken)
    {
        try
        {
            V1ConfigMap? current;
            try
            {
                current = await client.CoreV1.ReadNamespacedConfigMapAsync(ConfigMapName, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
            {
                current = null;
            }
            if (current is null)
            {
                var created = new V1ConfigMap
                {
                    Metadata = new V1ObjectMeta
                    {
                        Name = ConfigMapName,
                        NamespaceProperty = ns,
                        Labels = new Dictionary<string, string> { [LabelKey] = "true" },
                    },
                    Data = new Dictionary<string, string> { [DataKey] = root },
                };
                await client.CoreV1.CreateNamespacedConfigMapAsync(created, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
                LogWritten(ns, "created");
                return true;
            }
            if (current.Data is not null && current.Data.TryGetValue(DataKey, out var held) && held == root)
            {
                return true;
            }
            current.Data ??= new Dictionary<string, string>();
            current.Data[DataKey] = root;
            await client.CoreV1.ReplaceNamespacedConfigMapAsync(current, ConfigMapName, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            LogWritten(ns, "updated");
            return true;
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Someone else wrote it in between: look again.
            return false;
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            // The namespace went away or is terminating; its deletion will reach us as a change.
            LogSkipped(ns, (int)ex.Response.StatusCode);
            return true;
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or IOException)
        {
            LogFailed(ns, ex is HttpOperationException http ? $"HTTP {(int)http.Response.StatusCode}" : ex.Message);
            return false;
        }
    }

    /// <summary>
    /// Lists and watches the ConfigMaps istiod labels (<c>istio.io/config=true</c>): a changed or deleted
    /// <c>istio-ca-root-cert</c> is reconciled at once. A watch that ends resumes from the last version
    /// seen; one that fails relists after a backoff.
    /// </summary>
    private async Task WatchLoopAsync(IKubernetes client, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var list = await client.CoreV1.ListConfigMapForAllNamespacesAsync(labelSelector: $"{LabelKey}=true", cancellationToken: stoppingToken).ConfigureAwait(false);
                foreach (var map in list.Items)
                {
                    if (map.Metadata.Name == ConfigMapName && (map.Data is null || !map.Data.TryGetValue(DataKey, out var held) || held != _root))
                    {
                        _queue.Writer.TryWrite(map.Metadata.NamespaceProperty);
                    }
                }
                var version = list.Metadata.ResourceVersion;
                while (!stoppingToken.IsCancellationRequested)
                {
                    version = await WatchOnceAsync(client, version, stoppingToken).ConfigureAwait(false);
                    if (version is null)
                    {
                        break;
                    }
                    backoff = TimeSpan.FromMilliseconds(200);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or IOException or k8s.Exceptions.KubernetesClientException)
            {
                LogWatchFailed(ex is HttpOperationException http ? $"HTTP {(int)http.Response.StatusCode}" : ex.Message);
            }
            try
            {
                await Task.Delay(backoff, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
        }
    }

    /// <summary>Follows one watch; returns the version to resume from, or null to relist (410 Gone).</summary>
    private async Task<string?> WatchOnceAsync(IKubernetes client, string version, CancellationToken stoppingToken)
    {
        var events = client.CoreV1.WatchListConfigMapForAllNamespacesAsync(
            allowWatchBookmarks: true,
            labelSelector: $"{LabelKey}=true",
            resourceVersion: version,
            timeoutSeconds: 300,
            cancellationToken: stoppingToken);
        await foreach (var (type, map) in events.ConfigureAwait(false))
        {
            if (type == WatchEventType.Error)
            {
                return null;
            }
            if (map.Metadata?.ResourceVersion is { Length: > 0 } seen)
            {
                version = seen;
            }
            if (type == WatchEventType.Bookmark || map.Metadata?.Name != ConfigMapName || map.Metadata.NamespaceProperty is not { } ns)
            {
                continue;
            }
            var current = type != WatchEventType.Deleted && map.Data is not null && map.Data.TryGetValue(DataKey, out var held) && held == _root;
            if (!current)
            {
                _queue.Writer.TryWrite(ns);
            }
        }
        return version;
    }

    private async Task RequeueAfterAsync(string ns, TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            _queue.Writer.TryWrite(ns);
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ConfigMap istio-ca-root-cert {Outcome} in namespace {Namespace}")]
    private partial void LogWritten(string @namespace, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "The mesh roots changed: updating istio-ca-root-cert in every namespace")]
    private partial void LogRootReplaced();

    [LoggerMessage(Level = LogLevel.Debug, Message = "ConfigMap istio-ca-root-cert not written in namespace {Namespace}: HTTP {Status}")]
    private partial void LogSkipped(string @namespace, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ConfigMap istio-ca-root-cert in namespace {Namespace} failed: {Reason}; retrying")]
    private partial void LogFailed(string @namespace, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching istio-ca-root-cert ConfigMaps failed: {Reason}; relisting")]
    private partial void LogWatchFailed(string reason);
}
