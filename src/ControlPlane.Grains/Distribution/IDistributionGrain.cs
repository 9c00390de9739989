namespace ControlPlane.Grains.Distribution;

/// <summary>
/// Fans published resources out to the hub of every silo. Keeps the current set per origin, so a silo that
/// (re)joins, or finds it missed an update, starts again from a snapshot; repairs an origin it lost track
/// of (a gap in its numbering, a new epoch, its own reactivation) by asking it for its complete set.
/// </summary>
public interface IDistributionGrain : IGrainWithIntegerKey
{
    Task PublishAsync(OriginUpdate update);

    /// <summary>
    /// Registers (or refreshes) a hub; with <paramref name="sendSnapshot"/> it is then sent everything.
    /// <paramref name="origins"/> are the origins whose resources the hub holds: those the distribution
    /// grain does not know are asked for their complete set. Returns the current position, so a hub can
    /// tell whether it is behind.
    /// </summary>
    Task<HubPosition> SubscribeAsync(IHubObserver hub, bool sendSnapshot, IReadOnlyList<GrainId> origins);

    Task UnsubscribeAsync(IHubObserver hub);
}
