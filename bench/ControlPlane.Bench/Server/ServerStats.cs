namespace ControlPlane.Bench.Server;

/// <summary>
/// The server process at one moment: CPU used so far, resident memory, managed heap (after a full
/// blocking, compacting GC when asked), GC mode, collections (gen2, and all: gen0 counts every kind),
/// total GC pause and bytes allocated so far, the hub's tables and what the sources delivered.
/// Timestamps are <see cref="System.Diagnostics.Stopwatch"/> ticks (CLOCK_MONOTONIC on Linux, shared
/// with the benchmark process).
/// </summary>
public sealed record ServerStats(
    int Pid,
    long Timestamp,
    double CpuMs,
    long ResidentBytes,
    long ManagedHeapBytes,
    bool Collected,
    bool ServerGc,
    int Gen2Collections,
    int Collections,
    double GcPauseMs,
    long AllocatedBytes,
    long HubVersion,
    IReadOnlyList<TableCount> Tables,
    SinkStats Sink);
