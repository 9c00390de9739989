using System.Diagnostics;
using ControlPlane.Ambient.Model;

namespace ControlPlane.Bench.Server;

/// <summary>The host's own sink, with every call reported to a <see cref="ServerProbe"/>.</summary>
public sealed class ProbingObjectSink(IObjectSink inner, ServerProbe probe) : IObjectSink
{
    public async Task ApplyAsync(IReadOnlyList<ObjectChange> changes, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        probe.SinkStarted(changes, started);
        await inner.ApplyAsync(changes, cancellationToken).ConfigureAwait(false);
        probe.SinkEnded(changes, started, Stopwatch.GetTimestamp());
    }
}
