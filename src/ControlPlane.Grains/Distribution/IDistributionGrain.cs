namespace ControlPlane.Grains.Distribution;

/// <summary>
/// Fans published resources out to the hub of every silo, and keeps the current set so a silo that
/// (re)joins, or finds it missed an update, starts again from a full snapshot.
/// </summary>
public interface IDistributionGrain : IGrainWithIntegerKey
{
    Task PublishAsync(IReadOnlyList<ResourceBatch> batches);

    /// <summary>
    /// Registers (or refreshes) a hub; with <paramref name="sendSnapshot"/> it is then sent everything.
    /// Returns the current position, so a hub can tell whether it is behind.
    /// </summary>
    Task<HubPosition> SubscribeAsync(IHubObserver hub, bool sendSnapshot);

    Task UnsubscribeAsync(IHubObserver hub);
}
