namespace ControlPlane.Bench.Server;

/// <summary>
/// What the sources handed the grains: calls, object changes, when the first call started and the last
/// one ended (<see cref="System.Diagnostics.Stopwatch"/> ticks, 0 = none), the time spent inside calls, and
/// how many calls are in progress now.
/// </summary>
public sealed record SinkStats(long Calls, long Changes, long FirstAt, long LastEndedAt, double BusyMs, long Active);
