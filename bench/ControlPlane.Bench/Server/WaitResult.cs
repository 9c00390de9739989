namespace ControlPlane.Bench.Server;

/// <summary>When a hub table reached the awaited count (<see cref="System.Diagnostics.Stopwatch"/> ticks), or that it did not in time.</summary>
public sealed record WaitResult(bool Reached, long ReachedAt, int Count);
