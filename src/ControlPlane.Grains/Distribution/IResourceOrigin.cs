using Orleans.Concurrency;

namespace ControlPlane.Grains.Distribution;

/// <summary>A grain that publishes resources to the distribution grain, which may ask it for all of them.</summary>
public interface IResourceOrigin : IGrain
{
    /// <summary>
    /// Every resource the grain publishes now, as a complete <see cref="OriginUpdate"/> with its epoch and
    /// the number of its latest publish. Read-only; interleaves, so it is answered even while the grain
    /// waits on the distribution grain.
    /// </summary>
    [AlwaysInterleave]
    Task<OriginUpdate> GetResourcesAsync();
}
