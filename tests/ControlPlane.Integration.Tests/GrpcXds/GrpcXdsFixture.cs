using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ControlPlane.Testing;
using ControlPlane.Testing.Proxyless;
using ControlPlane.Xds.Resources;

namespace ControlPlane.Integration.Tests.GrpcXds;

/// <summary>
/// The real control plane in-process (plaintext xDS port) and the Node backends, shared by the tests of
/// a class; every test gets its own xDS client process and its own target and cluster names.
/// </summary>
public sealed class GrpcXdsFixture : IAsyncLifetime
{
    public const string Namespace = "harness";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private int _clients;
    private TestControlPlane? _controlPlane;
    private GrpcBackends? _backends;

    /// <summary>Names of the backends every test can route to.</summary>
    public static IReadOnlyList<string> BackendNames { get; } = ["alpha", "beta", "gamma"];

    public TestControlPlane ControlPlane => _controlPlane ?? throw new InvalidOperationException("the fixture is not started");

    public GrpcBackends Backends => _backends ?? throw new InvalidOperationException("the fixture is not started");

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        _controlPlane = await TestControlPlane.StartAsync().ConfigureAwait(false);
        _backends = await GrpcBackends.StartAsync(BackendNames, timeout.Token).ConfigureAwait(false);
    }

    public async Task DisposeAsync()
    {
        if (_backends is not null)
        {
            await _backends.DisposeAsync().ConfigureAwait(false);
        }
        if (_controlPlane is not null)
        {
            await _controlPlane.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Puts resources (of any types) into the hub's mesh-wide tables in one burst.</summary>
    public void Publish(params XdsResource[] resources)
    {
        foreach (var group in resources.GroupBy(r => r.TypeUrl, StringComparer.Ordinal))
        {
            ControlPlane.Hub.Publish(new ResourceDelta(group.Key, string.Empty, group.ToList(), []));
        }
    }

    /// <summary>Starts a client, in a pod of its own, that will call <c>xds:///&lt;target&gt;</c>.</summary>
    public Task<GrpcXdsClient> StartClientAsync(string target, CancellationToken cancellationToken)
    {
        var pod = $"client-{Interlocked.Increment(ref _clients)}";
        var bootstrap = GrpcXdsBootstrap.ForPod(ControlPlane.XdsAddress, pod, Namespace, IPAddress.Loopback);
        return GrpcXdsClient.StartAsync(bootstrap, target, cancellationToken);
    }

    /// <summary>The server's live ADS streams opened by <paramref name="nodeId"/>, from <c>/debug/connections</c>.</summary>
    public async Task<IReadOnlyList<DebugConnection>> ConnectionsOfAsync(string nodeId, CancellationToken cancellationToken)
    {
        var all = await ControlPlane.Http.GetFromJsonAsync<List<DebugConnection>>("/debug/connections", Json, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("/debug/connections answered null");
        return all.Where(c => c.Node == nodeId).ToList();
    }
}
