using System.Diagnostics;

namespace ControlPlane.Bench.Churn;

/// <summary>
/// One change the load tool made at the source, and when each simulated client first held it (or a newer
/// state of the same resource). Timestamps are <see cref="Stopwatch"/> ticks; 0 = not yet.
/// </summary>
public sealed class TrackedChange
{
    internal TrackedChange(long marker, string kind, string resourceName, bool removal, int clients)
    {
        Marker = marker;
        Kind = kind;
        ResourceName = resourceName;
        Removal = removal;
        SeenAt = new long[clients];
        Remaining = clients;
    }

    /// <summary>The change's sequence number, carried by the changed object (see <see cref="ChangeMarker"/>).</summary>
    public long Marker { get; }

    public string Kind { get; }

    /// <summary>The Address resource the change shows up as.</summary>
    public string ResourceName { get; }

    /// <summary>The change deletes the object: clients see the name in <c>removed_resources</c>.</summary>
    public bool Removal { get; }

    /// <summary>When the change became visible to the source (after the write or API call returned).</summary>
    public long WrittenAt { get; internal set; }

    /// <summary>Per client, when it first held this change.</summary>
    public long[] SeenAt { get; }

    public int Remaining { get; internal set; }

    public bool Delivered => Remaining == 0;

    internal TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Milliseconds from the write until every client held the change; NaN while one has not.</summary>
    public double AllClientsMs => Delivered && WrittenAt != 0 ? Milliseconds(WrittenAt, SeenAt.Max()) : double.NaN;

    /// <summary>Milliseconds from the write until each client held the change (clients that did, only).</summary>
    public IEnumerable<double> PerClientMs()
    {
        foreach (var seen in SeenAt)
        {
            if (seen != 0 && WrittenAt != 0)
            {
                yield return Milliseconds(WrittenAt, seen);
            }
        }
    }

    /// <summary>Elapsed milliseconds between two timestamps; negative spans (clock granularity) count as 0.</summary>
    public static double Milliseconds(long from, long to) =>
        Math.Max(0, (to - from) * 1000d / Stopwatch.Frequency);
}
