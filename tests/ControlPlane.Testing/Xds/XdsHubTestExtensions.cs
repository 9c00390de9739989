using ControlPlane.Xds.Hub;
using ControlPlane.Xds.Resources;

namespace ControlPlane.Testing.Xds;

/// <summary>Lets tests and benchmarks wait for the hub instead of sleeping.</summary>
public static class XdsHubTestExtensions
{
    /// <summary>How long a test waits for the hub before failing.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>Waits until everything published before the call is committed and every stream has been told of it.</summary>
    public static async Task FlushWithinTimeoutAsync(this XdsHub hub)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        try
        {
            await hub.FlushAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"the hub did not commit within {Timeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>Publishes and waits until the change reached every stream.</summary>
    public static Task PublishAndFlushAsync(this XdsHub hub, ResourceDelta delta)
    {
        hub.Publish(delta);
        return hub.FlushWithinTimeoutAsync();
    }
}
