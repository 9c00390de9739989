using ControlPlane.Xds.Hub;
using ControlPlane.Xds.Resources;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Grains.Distribution;

/// <summary>
/// Connects this silo's <see cref="XdsHub"/> to the distribution grain: subscribes once the silo is
/// active (taking a full snapshot), refreshes the subscription periodically, and publishes every batch
/// it receives into the hub.
/// </summary>
public sealed partial class HubBridge(IGrainFactory grains, XdsHub hub, ILogger<HubBridge> logger)
    : IHubObserver, ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private static readonly TimeSpan RefreshInterval = DistributionGrain.SubscriptionExpiry / 4;

    private IHubObserver? _reference;
    private CancellationTokenSource? _stop;
    private Task? _refresh;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(HubBridge), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    public Task ApplyAsync(IReadOnlyList<ResourceBatch> batches)
    {
        foreach (var batch in batches)
        {
            var updated = new List<XdsResource>(batch.Updated.Count);
            foreach (var resource in batch.Updated)
            {
                updated.Add(new XdsResource(batch.TypeUrl, resource.Name, UnsafeByteOperations.UnsafeWrap(resource.Body)));
            }
            hub.Publish(new ResourceDelta(batch.TypeUrl, batch.Scope, updated, batch.Removed));
        }
        return Task.CompletedTask;
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        _reference = grains.CreateObjectReference<IHubObserver>(this);
        await Distribution.SubscribeAsync(_reference, sendSnapshot: true).ConfigureAwait(false);
        _stop = new CancellationTokenSource();
        _refresh = RefreshAsync(_reference, _stop.Token);
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stop is null || _reference is null)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        await (_refresh ?? Task.CompletedTask).ConfigureAwait(false);
        try
        {
            await Distribution.UnsubscribeAsync(_reference).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            LogUnsubscribeFailed(ex.Message);
        }
    }

    private async Task RefreshAsync(IHubObserver reference, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await Distribution.SubscribeAsync(reference, sendSnapshot: false).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OrleansException or TimeoutException)
                {
                    LogRefreshFailed(ex.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private IDistributionGrain Distribution => grains.GetGrain<IDistributionGrain>(GrainKeys.Distribution);

    public void Dispose() => _stop?.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing the hub subscription failed: {Reason}")]
    private partial void LogRefreshFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unsubscribing the hub failed: {Reason}")]
    private partial void LogUnsubscribeFailed(string reason);
}
