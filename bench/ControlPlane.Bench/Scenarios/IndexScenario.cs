using System.Diagnostics;
using ControlPlane.Bench.Mesh;
using ControlPlane.Bench.Server;
using ControlPlane.Xds;

namespace ControlPlane.Bench.Scenarios;

/// <summary>
/// Index build: a cluster's worth of namespaces, Services and pods arrives through the config directory
/// source (files moved into the watched directory of a running server whose nodes are already loaded);
/// how long until the hub holds every Address and Authorization resource, and what it costs in CPU, resident memory and
/// managed heap (after a full GC, against the same process before the files arrived).
/// </summary>
public sealed class IndexScenario : IScenario
{
    private const double HeapPerWorkloadTarget = 2048;

    public string Name => "index";

    public string Description => "build pods/services/namespaces from config-directory events; time, RSS and managed heap per workload";

    public async Task<ScenarioResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var shape = MeshShape.ForPods(settings.Size(10_000, 100_000));
        var mesh = new MeshGenerator(shape);
        var result = new ScenarioResult(Name, Description, settings)
            .Add("pods", shape.Pods).Add("services", shape.Services).Add("namespaces", shape.Namespaces).Add("nodes", shape.Nodes)
            .Add("address_resources", shape.AddressResources).Add("authorization_resources", shape.AuthorizationResources);

        using var scratch = new ScratchDirectory(Name);
        var directory = scratch.Sub("mesh");
        var staging = scratch.Sub("staging");
        MeshFiles.WriteNodes(mesh, directory);
        var generated = Stopwatch.GetTimestamp();
        var (files, bytes) = MeshFiles.WriteNamespaces(mesh, staging);
        result.Add("yaml_files", files).Add("yaml_megabytes", ProcessSnapshot.Megabytes(bytes))
            .Add("generate_ms", Math.Round(Stopwatch.GetElapsedTime(generated).TotalMilliseconds));

        await using var server = await ServerProcess.StartAsync(["--config-dir", directory], cancellationToken).ConfigureAwait(false);
        await WaitForNodesAsync(server, cancellationToken).ConfigureAwait(false);
        var clockShared = await server.ClockSharedAsync(cancellationToken).ConfigureAwait(false);
        await server.ResetSinkAsync(cancellationToken).ConfigureAwait(false);
        var before = await server.StatsAsync(collect: true, cancellationToken).ConfigureAwait(false);

        var moved = Stopwatch.GetTimestamp();
        MeshFiles.MoveAll(staging, directory);
        var addresses = await server.WaitForResourcesAsync(TypeUrls.Address, shape.AddressResources, TimeSpan.FromMinutes(30), cancellationToken).ConfigureAwait(false);
        var authorizations = await server.WaitForResourcesAsync(TypeUrls.Authorization, shape.AuthorizationResources, TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
        var reached = addresses.ReachedAt > authorizations.ReachedAt ? addresses : authorizations;
        var built = await server.StatsAsync(collect: false, cancellationToken).ConfigureAwait(false);
        // The hub can hold everything before the source's delivery has returned; until it has, the batch it
        // delivered (every object change) is still referenced, which is not what the index costs to keep.
        await WaitForSinkIdleAsync(server, cancellationToken).ConfigureAwait(false);
        var after = await server.StatsAsync(collect: true, cancellationToken).ConfigureAwait(false);

        var buildMs = TrackedMs(built.Sink.FirstAt, reached.ReachedAt);
        var heapDelta = after.ManagedHeapBytes - before.ManagedHeapBytes;
        var residentDelta = after.ResidentBytes - before.ResidentBytes;
        var heapPerWorkload = Math.Round(heapDelta / (double)shape.Pods);
        result.Add("build_ms", Math.Round(buildMs))
            .Add("sink_calls", built.Sink.Calls).Add("sink_changes", built.Sink.Changes)
            .Add("cpu_ms", Math.Round(built.CpuMs - before.CpuMs))
            .Add("server_gc", after.ServerGc ? "server" : "workstation")
            .Add("rss_mb", ProcessSnapshot.Megabytes(after.ResidentBytes))
            .Add("rss_baseline_mb", ProcessSnapshot.Megabytes(before.ResidentBytes))
            .Add("managed_heap_mb", ProcessSnapshot.Megabytes(after.ManagedHeapBytes))
            .Add("managed_heap_baseline_mb", ProcessSnapshot.Megabytes(before.ManagedHeapBytes))
            .Add("managed_heap_bytes_per_workload", heapPerWorkload)
            .Add("managed_heap_bytes_per_address_resource", Math.Round(heapDelta / (double)shape.AddressResources))
            .Add("rss_bytes_per_workload", Math.Round(residentDelta / (double)shape.Pods));
        if (clockShared)
        {
            // The whole path, from the files appearing: watch, debounce, YAML parse, then the build.
            result.Add("source_ms", Math.Round(TrackedMs(moved, built.Sink.FirstAt)))
                .Add("load_ms", Math.Round(TrackedMs(moved, reached.ReachedAt)));
        }
        result.Target("managed_heap_bytes_per_workload", heapPerWorkload, HeapPerWorkloadTarget);
        result.Summary = $"{Name}: {shape} built in {buildMs / 1000:0.0} s from the first event " +
            $"({(clockShared ? $"{TrackedMs(moved, reached.ReachedAt) / 1000:0.0} s from the files appearing, " : string.Empty)}" +
            $"{(built.CpuMs - before.CpuMs) / 1000:0.0} CPU s); RSS {ProcessSnapshot.Megabytes(after.ResidentBytes)} MB, " +
            $"managed heap +{ProcessSnapshot.Megabytes(heapDelta)} MB = {heapPerWorkload:0} B per workload";
        return result;
    }

    private static double TrackedMs(long from, long to) => (to - from) * 1000d / Stopwatch.Frequency;

    private static async Task WaitForSinkIdleAsync(ServerProcess server, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 300;
        while ((await server.StatsAsync(collect: false, cancellationToken).ConfigureAwait(false)).Sink.Active > 0)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException("the source's delivery did not return within 5 minutes of the hub holding everything");
            }
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The nodes file is read at start; wait until the source delivered it.</summary>
    private static async Task WaitForNodesAsync(ServerProcess server, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 120;
        while ((await server.StatsAsync(collect: false, cancellationToken).ConfigureAwait(false)).Sink.LastEndedAt == 0)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException("the server did not load the nodes file within 2 minutes");
            }
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }
}
