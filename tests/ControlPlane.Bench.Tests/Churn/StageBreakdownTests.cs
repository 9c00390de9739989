using System.Diagnostics;
using ControlPlane.Bench.Churn;
using ControlPlane.Bench.Server;

namespace ControlPlane.Bench.Tests.Churn;

public sealed class StageBreakdownTests
{
    private static readonly long Ms = Stopwatch.Frequency / 1000;

    [Fact]
    public void Of_ChangeWithEveryStage_SplitsItsTime()
    {
        var tracker = new PropagationTracker(1);
        var change = tracker.Expect(4, ChurnKinds.PodUpdate, "pod-a");
        tracker.MarkWritten(change, 1000 * Ms);
        tracker.ObserveUpdate(0, "pod-a", 4, 1040 * Ms);
        StageEvent[] events =
        [
            new("pod-a", 3, Stages.Sink, 900 * Ms),
            new("pod-a", 4, Stages.Sink, 1005 * Ms),
            new("pod-a", 4, Stages.Grains, 1012 * Ms),
            new("pod-a", 4, Stages.Committed, 1025 * Ms),
        ];

        var breakdown = StageBreakdown.Of([change], events);

        Assert.Equal(1, breakdown.Matched);
        Assert.Equal((5, 20, 15), (breakdown.Source.P50, breakdown.Build.P50, breakdown.Push.P50));
    }

    [Fact]
    public void Of_ChangeMergedIntoALaterOne_IsLeftOut()
    {
        var tracker = new PropagationTracker(1);
        var merged = tracker.Expect(4, ChurnKinds.PodUpdate, "pod-a");
        tracker.MarkWritten(merged, 1000 * Ms);
        tracker.ObserveUpdate(0, "pod-a", 5, 1040 * Ms);

        var breakdown = StageBreakdown.Of([merged], [new("pod-a", 5, Stages.Sink, 1005 * Ms), new("pod-a", 5, Stages.Committed, 1020 * Ms)]);

        Assert.Equal(0, breakdown.Matched);
    }

    [Fact]
    public void Of_Deletion_MatchesEventsWithoutMarker()
    {
        var tracker = new PropagationTracker(1);
        var removal = tracker.Expect(9, ChurnKinds.PodDelete, "pod-b", removal: true);
        tracker.MarkWritten(removal, 1000 * Ms);
        tracker.ObserveRemoval(0, "pod-b", 1030 * Ms);

        var breakdown = StageBreakdown.Of([removal], [new("pod-b", -1, Stages.Sink, 1010 * Ms), new("pod-b", -1, Stages.Committed, 1020 * Ms)]);

        Assert.Equal((10, 10, 10), (breakdown.Source.P50, breakdown.Build.P50, breakdown.Push.P50));
    }

    [Fact]
    public void ServerBacklogAt_ChangesWrittenButNotCommitted_AreCounted()
    {
        var tracker = new PropagationTracker(1);
        var events = new List<StageEvent>();
        for (var i = 1; i <= 3; i++)
        {
            var change = tracker.Expect(i, ChurnKinds.PodUpdate, $"pod-{i}");
            tracker.MarkWritten(change, i * 100 * Ms);
            events.Add(new($"pod-{i}", i, Stages.Sink, (i * 100 + 5) * Ms));
            events.Add(new($"pod-{i}", i, Stages.Committed, (i * 100 + 150) * Ms));
            tracker.ObserveUpdate(0, $"pod-{i}", i, (i * 100 + 160) * Ms);
        }

        var breakdown = StageBreakdown.Of(tracker.Changes, events);

        Assert.Equal([0, 1, 2, 1, 0], new[] { 50, 120, 300, 400, 500 }.Select(ms => breakdown.ServerBacklogAt(ms * Ms)));
    }
}
