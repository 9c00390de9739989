using System.Diagnostics;
using ControlPlane.Bench.Churn;
using ControlPlane.Bench.Mesh;
using ControlPlane.Bench.Server;
using ControlPlane.Xds;

namespace ControlPlane.Bench.Scenarios;

/// <summary>
/// A generated mesh written as a config directory and the control plane serving it, in its own process:
/// the fixture of the end-to-end scenarios. Started, it has built every Address resource.
/// </summary>
public sealed class MeshServer : IAsyncDisposable
{
    private MeshServer(MeshGenerator mesh, ScratchDirectory scratch, ServerProcess server, (int Files, long Bytes) written, double loadMs)
    {
        Mesh = mesh;
        Scratch = scratch;
        Server = server;
        Files = written.Files;
        YamlBytes = written.Bytes;
        LoadMs = loadMs;
    }

    public MeshGenerator Mesh { get; }

    public ScratchDirectory Scratch { get; }

    public ServerProcess Server { get; }

    public string ConfigDirectory => Path.Combine(Scratch.Path, "mesh");

    public int Files { get; }

    public long YamlBytes { get; }

    /// <summary>From starting the server process until its hub held every Address resource.</summary>
    public double LoadMs { get; }

    /// <summary>
    /// Writes <paramref name="shape"/> and starts the host on it with <paramref name="hostArgs"/> added;
    /// the config directory source reads every file at start.
    /// </summary>
    public static async Task<MeshServer> StartAsync(string name, MeshShape shape, IReadOnlyList<string> hostArgs, CancellationToken cancellationToken)
    {
        var mesh = new MeshGenerator(shape);
        var scratch = new ScratchDirectory(name);
        try
        {
            var directory = scratch.Sub("mesh");
            var nodeBytes = MeshFiles.WriteNodes(mesh, directory);
            var (files, bytes) = MeshFiles.WriteNamespaces(mesh, directory);
            var started = Stopwatch.GetTimestamp();
            var server = await ServerProcess.StartAsync(["--config-dir", directory, .. hostArgs], cancellationToken).ConfigureAwait(false);
            try
            {
                await server.WaitForResourcesAsync(TypeUrls.Address, shape.AddressResources, TimeSpan.FromMinutes(20), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            return new MeshServer(mesh, scratch, server, (files + 1, bytes + nodeBytes), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch
        {
            scratch.Dispose();
            throw;
        }
    }

    /// <summary>Changes objects of this mesh through its config directory.</summary>
    public ConfigDirectoryTarget ConfigDirectoryTarget() => new(ConfigDirectory, Scratch.Sub("staging"));

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync().ConfigureAwait(false);
        Scratch.Dispose();
    }
}
