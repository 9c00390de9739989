using ControlPlane.Kubernetes.Api;
using ControlPlane.Kubernetes.Informers;
using k8s;

namespace ControlPlane.Kubernetes.Clusters;

/// <summary>
/// One watched cluster: its informers and the API connection they currently run against. The informers
/// (and what they hold) outlive connections: a restart with a new kubeconfig relists and delivers only
/// differences; <see cref="ForgetObjectsAsync"/> deletes exactly this cluster's objects.
/// </summary>
public sealed class KubeCluster
{
    private readonly Lock _gate = new();
    private KubeApiClient? _client;
    private CancellationTokenSource? _stop;
    private Task _running = Task.CompletedTask;
    private string? _configError;

    public KubeCluster(string id, bool local, string? secret, IReadOnlyList<IInformer> informers)
    {
        Id = id;
        Local = local;
        Secret = secret;
        Informers = informers;
    }

    public string Id { get; }

    public bool Local { get; }

    /// <summary>The registering Secret (<c>namespace/name</c>) of a remote cluster.</summary>
    public string? Secret { get; }

    public IReadOnlyList<IInformer> Informers { get; }

    /// <summary>SHA-256 of the kubeconfig the cluster was last configured from (remote clusters).</summary>
    public string? ConfigHash { get; private set; }

    /// <summary>The typed client of the current connection; null while none is valid.</summary>
    public IKubernetes? Client
    {
        get
        {
            lock (_gate)
            {
                return _client?.Kubernetes;
            }
        }
    }

    /// <summary>Completes when every informer has delivered its initial list.</summary>
    public Task InitialSync => Task.WhenAll(Informers.Select(i => i.Synced));

    public bool Running
    {
        get
        {
            lock (_gate)
            {
                return _stop is not null;
            }
        }
    }

    /// <summary>Sets the API connection (which the cluster now owns); informers run on it once started.</summary>
    public void Connect(KubeApiClient client, string? configHash = null)
    {
        lock (_gate)
        {
            if (_stop is not null)
            {
                throw new InvalidOperationException($"cluster {Id} is running; restart it instead");
            }
            _client?.Dispose();
            _client = client;
            _configError = null;
            ConfigHash = configHash;
        }
    }

    /// <summary>Runs every informer on the current connection.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_stop is not null)
            {
                throw new InvalidOperationException($"cluster {Id} is already running");
            }
            var client = _client ?? throw new InvalidOperationException($"cluster {Id} has no connection");
            _stop = new CancellationTokenSource();
            var token = _stop.Token;
            _running = Task.WhenAll(Informers.Select(i => Task.Run(() => i.RunAsync(client, token), CancellationToken.None)));
        }
    }

    /// <summary>Stops the informers (keeping what they hold) and releases the connection.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        CancellationTokenSource? stop;
        Task running;
        KubeApiClient? client;
        lock (_gate)
        {
            stop = _stop;
            running = _running;
            client = _client;
            _stop = null;
            _client = null;
            _running = Task.CompletedTask;
        }
        if (stop is not null)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            // Informers end promptly once cancelled; only a shutdown deadline cuts this short.
            await running.WaitAsync(cancellationToken).ConfigureAwait(false);
            stop.Dispose();
        }
        client?.Dispose();
    }

    /// <summary>Stops, then runs against a new connection; informers relist and deliver only differences.</summary>
    public async Task RestartAsync(KubeApiClient client, string? configHash, CancellationToken cancellationToken)
    {
        await StopAsync(cancellationToken).ConfigureAwait(false);
        Connect(client, configHash);
        Start();
    }

    /// <summary>Records why a new kubeconfig was refused (the cluster keeps its current state).</summary>
    public void RejectConfig(string error, string configHash)
    {
        lock (_gate)
        {
            _configError = error;
            ConfigHash = configHash;
        }
    }

    /// <summary>Delivers deletes for every object of this cluster. Call after <see cref="StopAsync"/>.</summary>
    public async Task ForgetObjectsAsync(CancellationToken cancellationToken)
    {
        foreach (var informer in Informers)
        {
            await informer.ForgetAllAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public ClusterStatus Status()
    {
        string? server;
        string? configError;
        bool running;
        lock (_gate)
        {
            server = _client?.Server.GetLeftPart(UriPartial.Authority);
            configError = _configError;
            running = _stop is not null;
        }
        var informers = Informers.Select(i => i.Status).ToList();
        return new ClusterStatus
        {
            Id = Id,
            Local = Local,
            Secret = Secret,
            Server = server,
            Synced = informers.All(i => i.Synced),
            Stale = !running || informers.Any(i => !i.Healthy),
            ConfigError = configError,
            Informers = informers,
        };
    }
}
