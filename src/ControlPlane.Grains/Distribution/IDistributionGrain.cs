namespace ControlPlane.Grains.Distribution;

/// <summary>
/// Fans published resources out to the hub of every silo, and keeps the current set so a silo that
/// (re)joins starts from a full snapshot.
/// </summary>
public interface IDistributionGrain : IGrainWithIntegerKey
{
    Task PublishAsync(IReadOnlyList<ResourceBatch> batches);

    /// <summary>Registers (or refreshes) a hub; with <paramref name="sendSnapshot"/> it first gets everything.</summary>
    Task SubscribeAsync(IHubObserver hub, bool sendSnapshot);

    Task UnsubscribeAsync(IHubObserver hub);
}
