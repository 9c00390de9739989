using Orleans.Concurrency;

namespace ControlPlane.Grains.Distribution;

/// <summary>One silo's xDS hub, as the distribution grain sees it.</summary>
public interface IHubObserver : IGrainObserver
{
    [OneWay]
    Task ApplyAsync(HubUpdate update);
}
