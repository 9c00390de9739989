using ControlPlane.Xds.Hub;
using ControlPlane.Xds.Resources;
using Google.Protobuf;

namespace ControlPlane.Testing.Xds;

/// <summary>Lets tests and benchmarks wait for the hub instead of sleeping.</summary>
public static class XdsHubTestExtensions
{
    /// <summary>A type no client subscribes to, used only to mark a point in the hub's queue.</summary>
    public const string BarrierTypeUrl = "type.googleapis.com/controlplane.testing.Barrier";

    private static long _barrier;

    /// <summary>
    /// Waits until everything published before the call is committed to the tables and every stream has
    /// been told of it: a barrier resource is queued behind it and its commit awaited.
    /// </summary>
    public static async Task FlushAsync(this XdsHub hub, TimeSpan? timeout = null)
    {
        var number = Interlocked.Increment(ref _barrier);
        var name = $"barrier-{number}";
        var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnCommitted(PushBatch batch)
        {
            foreach (var change in batch.Changes)
            {
                if (change.Key.TypeUrl == BarrierTypeUrl && change.Names.Contains(name))
                {
                    committed.TrySetResult();
                }
            }
        }
        hub.Committed += OnCommitted;
        try
        {
            hub.Publish(new ResourceDelta(BarrierTypeUrl, string.Empty, [new XdsResource(BarrierTypeUrl, name, ByteString.Empty)], [$"barrier-{number - 1}"]));
            var wait = timeout ?? TimeSpan.FromSeconds(20);
            try
            {
                await committed.Task.WaitAsync(wait).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"the hub did not commit within {wait.TotalSeconds:0.#} s");
            }
        }
        finally
        {
            hub.Committed -= OnCommitted;
        }
    }

    /// <summary>Publishes and waits until the change reached every stream.</summary>
    public static Task PublishAndFlushAsync(this XdsHub hub, ResourceDelta delta)
    {
        hub.Publish(delta);
        return hub.FlushAsync();
    }
}
