using ControlPlane.Ambient.Model;
using ControlPlane.Kubernetes.Clusters;
using ControlPlane.Testing.Kubernetes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Kubernetes.Tests.Clusters;

/// <summary>
/// A <see cref="KubernetesSource"/> on a local API server double (cluster id "local"), delivering into a
/// recording sink, with fast retries. Remote clusters are more doubles registered through Secrets.
/// </summary>
public sealed class SourceHarness : IAsyncDisposable
{
    private readonly List<KubeApiServerDouble> _remotes = [];
    private readonly ILoggerFactory _loggers;

    private SourceHarness(KubeApiServerDouble local, ListLogger log)
    {
        Local = local;
        Log = log;
        _loggers = log.Factory();
        var settings = new MeshSettings { ClusterId = "local" };
        var options = Options.Create(new KubernetesOptions { InitialBackoffMilliseconds = 10, MaxBackoffMilliseconds = 200, NotInstalledRetrySeconds = 1 });
        var factory = new ClusterFactory(options, settings, Sink, _loggers);
        Registry = new ClusterRegistry(settings, factory.Connect(new k8s.KubernetesClientConfiguration { Host = local.Url.ToString(), AccessToken = local.ClientToken }));
        var controller = new RemoteSecretController(Registry, factory, _loggers.CreateLogger<RemoteSecretController>());
        Source = new KubernetesSource(factory, Registry, controller, _loggers.CreateLogger<KubernetesSource>());
    }

    public KubeApiServerDouble Local { get; }

    public ListLogger Log { get; }

    public RecordingSink Sink { get; } = new();

    public ClusterRegistry Registry { get; }

    public KubernetesSource Source { get; }

    public static async Task<SourceHarness> StartAsync(string localObjects = "")
    {
        var local = await KubeApiServerDouble.StartAsync("local");
        if (localObjects.Length > 0)
        {
            local.Apply(localObjects);
        }
        var harness = new SourceHarness(local, new ListLogger());
        await harness.Source.StartAsync(CancellationToken.None);
        await harness.Source.LocalCluster.InitialSync.WaitAsync(Eventually.Patience);
        return harness;
    }

    /// <summary>Starts another cluster (not yet registered).</summary>
    public async Task<KubeApiServerDouble> StartRemoteAsync(string name, string objects = "")
    {
        var remote = await KubeApiServerDouble.StartAsync(name);
        _remotes.Add(remote);
        if (objects.Length > 0)
        {
            remote.Apply(objects);
        }
        return remote;
    }

    /// <summary>Writes the remote-cluster Secret <paramref name="name"/> into the local cluster: cluster id → kubeconfig.</summary>
    public void ApplySecret(string name, params (string ClusterId, string Kubeconfig)[] clusters) =>
        Local.Apply(Secret(name, clusters));

    public static string Secret(string name, params (string ClusterId, string Kubeconfig)[] clusters) =>
        RemoteClusterSecret.Yaml(name, "istio-system", clusters);

    public ClusterStatus? Status(string clusterId) => Registry.Status().FirstOrDefault(c => c.Id == clusterId);

    public async ValueTask DisposeAsync()
    {
        await Source.StopAsync(CancellationToken.None);
        Source.Dispose();
        foreach (var remote in _remotes)
        {
            await remote.DisposeAsync();
        }
        await Local.DisposeAsync();
        _loggers.Dispose();
    }
}
