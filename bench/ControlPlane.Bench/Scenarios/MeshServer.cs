using System.Diagnostics;
using ControlPlane.Bench.Churn;
using ControlPlane.Bench.Mesh;
using ControlPlane.Bench.Server;
using ControlPlane.Testing.Kubernetes;
using ControlPlane.Xds;

namespace ControlPlane.Bench.Scenarios;

/// <summary>
/// A generated mesh fed to the control plane through one of its sources, and the control plane serving it
/// in its own process: the fixture of the end-to-end scenarios. Started, it has built every Address and
/// Authorization resource.
/// </summary>
public sealed class MeshServer : IAsyncDisposable
{
    private readonly KubeApiServerDouble? _cluster;

    private MeshServer(MeshGenerator mesh, ScratchDirectory scratch, KubeApiServerDouble? cluster, ServerProcess server, long bytes, double loadMs)
    {
        Mesh = mesh;
        Scratch = scratch;
        _cluster = cluster;
        Server = server;
        YamlBytes = bytes;
        LoadMs = loadMs;
    }

    public MeshGenerator Mesh { get; }

    public ScratchDirectory Scratch { get; }

    public ServerProcess Server { get; }

    public MeshSource Source => _cluster is null ? MeshSource.ConfigDirectory : MeshSource.KubeApi;

    public string ConfigDirectory => Path.Combine(Scratch.Path, "mesh");

    public long YamlBytes { get; }

    /// <summary>From starting the server process until its hub held every resource.</summary>
    public double LoadMs { get; }

    /// <summary>
    /// Feeds <paramref name="shape"/> to <paramref name="source"/> (a config directory read at start, or the
    /// API server double listed by the informers at start) and starts the host on it with
    /// <paramref name="hostArgs"/> added.
    /// </summary>
    public static async Task<MeshServer> StartAsync(string name, MeshShape shape, MeshSource source, IReadOnlyList<string> hostArgs, CancellationToken cancellationToken)
    {
        var mesh = new MeshGenerator(shape);
        var scratch = new ScratchDirectory(name);
        KubeApiServerDouble? cluster = null;
        try
        {
            long bytes;
            string[] sourceArgs;
            if (source == MeshSource.KubeApi)
            {
                // A cluster with Istio installed serves its CRDs (and the informers then list them).
                cluster = await KubeApiServerDouble.StartAsync("bench", ApiResource.CustomResources).ConfigureAwait(false);
                bytes = Load(cluster, mesh);
                sourceArgs = ["--kubeconfig", cluster.WriteKubeconfig(scratch.Path)];
            }
            else
            {
                var directory = scratch.Sub("mesh");
                bytes = MeshFiles.WriteNodes(mesh, directory) + MeshFiles.WriteNamespaces(mesh, directory).Bytes;
                sourceArgs = ["--config-dir", directory];
            }
            var started = Stopwatch.GetTimestamp();
            var server = await ServerProcess.StartAsync([.. sourceArgs, .. hostArgs], cancellationToken).ConfigureAwait(false);
            try
            {
                await server.WaitForResourcesAsync(TypeUrls.Address, shape.AddressResources, TimeSpan.FromMinutes(20), cancellationToken).ConfigureAwait(false);
                await server.WaitForResourcesAsync(TypeUrls.Authorization, shape.AuthorizationResources, TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            return new MeshServer(mesh, scratch, cluster, server, bytes, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch
        {
            if (cluster is not null)
            {
                await cluster.DisposeAsync().ConfigureAwait(false);
            }
            scratch.Dispose();
            throw;
        }
    }

    /// <summary>Changes objects of this mesh through the source it was fed through.</summary>
    public IChurnTarget ChurnTarget() =>
        _cluster is { } cluster ? new KubeApiTarget(cluster) : new ConfigDirectoryTarget(ConfigDirectory, Scratch.Sub("staging"));

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync().ConfigureAwait(false);
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync().ConfigureAwait(false);
        }
        Scratch.Dispose();
    }

    /// <summary>Creates the nodes, then each namespace's objects, in the API server double.</summary>
    private static long Load(KubeApiServerDouble cluster, MeshGenerator mesh)
    {
        var nodes = MeshManifests.Nodes(mesh);
        cluster.Apply(nodes);
        long bytes = nodes.Length;
        for (var ns = 0; ns < mesh.Shape.Namespaces; ns++)
        {
            var text = MeshManifests.Namespace(mesh, ns);
            cluster.Apply(text);
            bytes += text.Length;
        }
        return bytes;
    }
}
