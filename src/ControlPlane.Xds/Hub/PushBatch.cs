namespace ControlPlane.Xds.Hub;

/// <summary>
/// One coalesced set of table changes, committed to the tables before listeners hear of it.
/// </summary>
/// <param name="Version">Monotonic commit counter of this hub (used as system_version_info).</param>
/// <param name="Changes">The tables touched and their changed names.</param>
/// <param name="PublishedAtTimestamp">
/// <see cref="System.Diagnostics.Stopwatch"/> timestamp of the oldest delta in the batch, for latency metrics.
/// </param>
public sealed record PushBatch(long Version, IReadOnlyList<TableChange> Changes, long PublishedAtTimestamp);
