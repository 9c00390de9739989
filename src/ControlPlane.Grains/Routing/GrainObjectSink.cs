using ControlPlane.Ambient.Model;
using ControlPlane.Grains.Mesh;
using ControlPlane.Grains.Namespaces;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Grains.Routing;

/// <summary>
/// Where this silo's sources deliver changes. Each change is recorded in the <see cref="LocalObjectStore"/>
/// and, once the store holds every source's initial list, delivered to the grains that own it
/// (<see cref="GrainRoute"/>). Before that the grains are not called from here: other replicas deliver the
/// same changes, and a grain activated now would wait for this silo's store (grains seed from it). When
/// the store is synced the sink wakes the mesh grain and every namespace grain the store names, so a
/// cluster that starts from nothing builds everything. Calls that fail because a silo is gone or busy are
/// retried: sources do not resend.
/// </summary>
public sealed partial class GrainObjectSink(IGrainFactory grains, MeshSettings settings, LocalObjectStore store, ILogger<GrainObjectSink> logger)
    : IObjectSink, ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private const int MaxConcurrentWakes = 16;
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly TaskCompletionSource _seeded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private Task? _wake;

    /// <summary>
    /// Completes once this silo's store is synced and every grain it names is active (seeded from a
    /// store and published), e.g. before reporting ready.
    /// </summary>
    public Task GrainsSeeded => _seeded.Task;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(GrainObjectSink), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    public async Task ApplyAsync(IReadOnlyList<ObjectChange> changes, CancellationToken cancellationToken)
    {
        store.Record(changes);
        if (!store.IsSynced)
        {
            return;
        }
        var mesh = new List<ObjectChange>();
        var byNamespace = new Dictionary<string, List<ObjectChange>>(StringComparer.Ordinal);
        foreach (var change in changes)
        {
            var route = GrainRoute.Of(change.Key, settings);
            if (route.Mesh)
            {
                mesh.Add(change);
            }
            if (route.Namespace is not { } ns)
            {
                continue;
            }
            if (!byNamespace.TryGetValue(ns, out var list))
            {
                list = [];
                byNamespace[ns] = list;
            }
            list.Add(change);
        }
        if (mesh.Count > 0)
        {
            // Mesh inputs first, so namespace grains activated below start from them.
            await RetryAsync(() => MeshGrain.ApplyAsync(mesh), "mesh", cancellationToken).ConfigureAwait(false);
        }
        var calls = new List<Task>(byNamespace.Count);
        foreach (var (ns, list) in byNamespace)
        {
            calls.Add(RetryAsync(() => NamespaceGrain(ns).ApplyAsync(list), ns, cancellationToken));
        }
        await Task.WhenAll(calls).ConfigureAwait(false);
    }

    private IMeshGrain MeshGrain => grains.GetGrain<IMeshGrain>(GrainKeys.Mesh);

    private INamespaceGrain NamespaceGrain(string ns) => grains.GetGrain<INamespaceGrain>(GrainKeys.Namespace(ns));

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _wake = WakeAsync(_stop.Token);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await (_wake ?? Task.CompletedTask).ConfigureAwait(false);
    }

    /// <summary>Once the store is synced: activates the mesh grain and every namespace grain it names.</summary>
    private async Task WakeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.WhenSyncedAsync(cancellationToken).ConfigureAwait(false);
            await RetryAsync(() => MeshGrain.WakeAsync(), "mesh", cancellationToken).ConfigureAwait(false);
            var namespaces = store.Namespaces();
            await Parallel.ForEachAsync(
                namespaces,
                new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentWakes, CancellationToken = cancellationToken },
                async (ns, token) => await RetryAsync(() => NamespaceGrain(ns).WakeAsync(), ns, token).ConfigureAwait(false)).ConfigureAwait(false);
            LogWoken(namespaces.Count);
            _seeded.TrySetResult();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _seeded.TrySetCanceled(cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            // A source failed its initial list: grains never seed from this silo's store.
            LogNeverSynced(ex.Message);
            _seeded.TrySetException(ex);
        }
    }

    /// <summary>Calls a grain until it answers: a silo that died or is shutting down is replaced by another.</summary>
    private async Task RetryAsync(Func<Task> call, string grain, CancellationToken cancellationToken)
    {
        var delay = FirstRetryDelay;
        while (true)
        {
            try
            {
                await call().WaitAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                LogRetry(grain, delay.TotalMilliseconds, ex.Message);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    public void Dispose() => _stop.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivering to grain {Grain} failed, retrying in {DelayMs} ms: {Reason}")]
    private partial void LogRetry(string grain, double delayMs, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The local store is synced: woke the mesh grain and {Namespaces} namespace grains")]
    private partial void LogWoken(int namespaces);

    [LoggerMessage(Level = LogLevel.Error, Message = "The local store never synced; grains will not seed from this silo: {Reason}")]
    private partial void LogNeverSynced(string reason);
}
