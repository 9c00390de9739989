using ControlPlane.Bench.Server;

namespace ControlPlane.Bench.Churn;

/// <summary>
/// Where a change's time went, from the stage timestamps the server process recorded for it (matched by
/// resource name and marker; a deletion by name, after its write): <c>source</c> = write → the source
/// handed it to the grains (file watch, re-read, diff); <c>build</c> = grains built and published it, the
/// silo's hub got and committed it (hub debounce included); <c>push</c> = commit → the last client had it.
/// Changes the server merged with a later one of the same resource have no stages of their own and are
/// left out (<see cref="Matched"/> counts the others). <see cref="Spans"/> keeps, per matched change, when it
/// was written and when the hub committed it: the server's backlog at any moment is the spans open then.
/// </summary>
public sealed record StageBreakdown(int Matched, LatencySummary Source, LatencySummary Build, LatencySummary Push,
    IReadOnlyList<(long WrittenAt, long CommittedAt)> Spans)
{
    public static StageBreakdown Of(IEnumerable<TrackedChange> changes, IReadOnlyList<StageEvent> events)
    {
        var byName = events.GroupBy(e => e.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(e => e.At).ToList(), StringComparer.Ordinal);
        List<double> source = [], build = [], push = [];
        var spans = new List<(long, long)>();
        foreach (var change in changes)
        {
            if (!change.Delivered || change.WrittenAt == 0 || !byName.TryGetValue(change.ResourceName, out var list))
            {
                continue;
            }
            var marker = change.Removal ? -1 : change.Marker;
            long First(string stage) =>
                list.FirstOrDefault(e => e.Stage == stage && e.Marker == marker && e.At >= change.WrittenAt)?.At ?? 0;
            var sink = First(Stages.Sink);
            var committed = First(Stages.Committed);
            if (sink == 0 || committed == 0)
            {
                continue;
            }
            source.Add(TrackedChange.Milliseconds(change.WrittenAt, sink));
            build.Add(TrackedChange.Milliseconds(sink, committed));
            push.Add(TrackedChange.Milliseconds(committed, change.SeenAt.Max()));
            spans.Add((change.WrittenAt, committed));
        }
        return new StageBreakdown(source.Count, LatencySummary.Of(source), LatencySummary.Of(build), LatencySummary.Of(push), spans);
    }

    /// <summary>Changes written but not yet committed by the hub at <paramref name="at"/>.</summary>
    public int ServerBacklogAt(long at)
    {
        var open = 0;
        foreach (var (written, committed) in Spans)
        {
            if (written <= at && committed > at)
            {
                open++;
            }
        }
        return open;
    }

    /// <summary>Adds <c>stage_&lt;name&gt;_p50_ms</c> and the rest to a result.</summary>
    public void AddTo(ScenarioResult result) =>
        result.Add("stage_matched", Matched).Add("stage_source", Source).Add("stage_build", Build).Add("stage_push", Push);

    public override string ToString() =>
        $"p50 source {Source.P50:0.#} + build {Build.P50:0.#} + push {Push.P50:0.#} ms";
}
