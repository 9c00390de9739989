using System.Text.Json;
using ControlPlane.Testing;
using ControlPlane.Testing.Kubernetes;

namespace ControlPlane.Host.Tests.Kubernetes;

/// <summary>
/// The real host in Kubernetes mode (<c>--kubeconfig</c>) against an API server double, plus remote
/// cluster doubles registered through Secrets, with fast retries.
/// </summary>
public sealed class KubernetesControlPlane : IAsyncDisposable
{
    private readonly List<KubeApiServerDouble> _remotes = [];
    private readonly string _directory;

    private KubernetesControlPlane(KubeApiServerDouble local, TestControlPlane server, string directory)
    {
        Local = local;
        Server = server;
        _directory = directory;
    }

    public KubeApiServerDouble Local { get; }

    public TestControlPlane Server { get; }

    /// <summary>Starts the local cluster with <paramref name="objects"/> (YAML), then the host on it.</summary>
    public static async Task<KubernetesControlPlane> StartAsync(string objects = "", Action<KubeApiServerDouble>? prepare = null)
    {
        var local = await KubeApiServerDouble.StartAsync("local");
        if (objects.Length > 0)
        {
            local.Apply(objects);
        }
        prepare?.Invoke(local);
        var directory = Directory.CreateTempSubdirectory("kube-host-").FullName;
        var server = await TestControlPlane.StartAsync(
            "--kubeconfig", local.WriteKubeconfig(directory),
            "--Xds:DebounceMilliseconds=0",
            "--Kubernetes:InitialBackoffMilliseconds=10",
            "--Kubernetes:MaxBackoffMilliseconds=200",
            "--Kubernetes:NotInstalledRetrySeconds=1");
        return new KubernetesControlPlane(local, server, directory);
    }

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

    public void ApplySecret(string name, params (string ClusterId, string Kubeconfig)[] clusters) =>
        Local.Apply(RemoteClusterSecret.Yaml(name, "istio-system", clusters));

    /// <summary><c>/debug/clusters</c>, parsed.</summary>
    public async Task<JsonElement> DebugClustersAsync()
    {
        using var response = await Server.Http.GetAsync(new Uri("/debug/clusters", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public async Task<JsonElement?> ClusterAsync(string id)
    {
        foreach (var cluster in (await DebugClustersAsync()).GetProperty("clusters").EnumerateArray())
        {
            if (cluster.GetProperty("id").GetString() == id)
            {
                return cluster;
            }
        }
        return null;
    }

    public async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        foreach (var remote in _remotes)
        {
            await remote.DisposeAsync();
        }
        await Local.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
