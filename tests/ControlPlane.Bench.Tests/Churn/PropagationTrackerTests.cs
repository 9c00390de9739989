using ControlPlane.Bench.Churn;

namespace ControlPlane.Bench.Tests.Churn;

public sealed class PropagationTrackerTests
{
    private const string Pod = "Kubernetes//Pod/ns-0000/svc-00-abc-bcdfg";

    [Fact]
    public void ObserveUpdate_EveryClientSeesMarker_Delivers()
    {
        var tracker = new PropagationTracker(2);
        var change = tracker.Expect(5, ChurnKinds.PodUpdate, Pod);
        tracker.MarkWritten(change, 100);

        tracker.ObserveUpdate(0, Pod, 5, 150);
        Assert.False(change.Delivered);
        tracker.ObserveUpdate(1, Pod, 5, 180);

        Assert.True(change.Delivered);
        Assert.True(PropagationTracker.WhenDeliveredAsync(change, CancellationToken.None).IsCompletedSuccessfully);
        Assert.Equal(0, tracker.Pending);
        Assert.False(tracker.Tracks(Pod));
    }

    [Fact]
    public void ObserveUpdate_NewerMarker_DeliversOlderChangesOfTheResource()
    {
        var tracker = new PropagationTracker(1);
        var older = tracker.Expect(5, ChurnKinds.PodUpdate, Pod);
        var newer = tracker.Expect(9, ChurnKinds.PodUpdate, Pod);

        tracker.ObserveUpdate(0, Pod, 9, 200);

        Assert.True(older.Delivered);
        Assert.True(newer.Delivered);
    }

    [Fact]
    public void ObserveUpdate_OlderMarker_DoesNotDeliverNewerChange()
    {
        var tracker = new PropagationTracker(1);
        var change = tracker.Expect(9, ChurnKinds.PodUpdate, Pod);

        tracker.ObserveUpdate(0, Pod, 5, 200);

        Assert.False(change.Delivered);
        Assert.True(tracker.Tracks(Pod));
    }

    [Fact]
    public void ObserveUpdate_SameClientTwice_CountsOnce()
    {
        var tracker = new PropagationTracker(2);
        var change = tracker.Expect(1, ChurnKinds.PodUpdate, Pod);

        tracker.ObserveUpdate(0, Pod, 1, 10);
        tracker.ObserveUpdate(0, Pod, 1, 20);

        Assert.Equal(1, change.Remaining);
        Assert.Equal(10, change.SeenAt[0]);
    }

    [Fact]
    public void ObserveUpdate_RemovalPending_DoesNotDeliverIt()
    {
        var tracker = new PropagationTracker(1);
        var removal = tracker.Expect(3, ChurnKinds.PodDelete, Pod, removal: true);

        tracker.ObserveUpdate(0, Pod, 3, 10);
        Assert.False(removal.Delivered);

        tracker.ObserveRemoval(0, Pod, 20);
        Assert.True(removal.Delivered);
    }

    [Fact]
    public void ObserveRemoval_UntrackedName_IsIgnored()
    {
        var tracker = new PropagationTracker(1);
        var change = tracker.Expect(1, ChurnKinds.PodUpdate, Pod);

        tracker.ObserveRemoval(0, "Kubernetes//Pod/ns-0000/other", 10);

        Assert.False(change.Delivered);
        Assert.Equal(1, tracker.Pending);
    }

    [Fact]
    public void AllClientsMs_Delivered_IsLatestClientSinceWrite()
    {
        var tracker = new PropagationTracker(2);
        var change = tracker.Expect(1, ChurnKinds.PodUpdate, Pod);
        var frequency = System.Diagnostics.Stopwatch.Frequency;
        tracker.MarkWritten(change, frequency);

        tracker.ObserveUpdate(0, Pod, 1, frequency + frequency / 100);
        Assert.True(double.IsNaN(change.AllClientsMs));
        tracker.ObserveUpdate(1, Pod, 1, frequency + frequency / 20);

        Assert.Equal(50, change.AllClientsMs, 6);
        Assert.Equal([10d, 50d], change.PerClientMs().Select(ms => Math.Round(ms, 6)));
    }
}
