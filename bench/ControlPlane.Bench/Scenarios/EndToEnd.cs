using System.Diagnostics;
using ControlPlane.Bench.Churn;
using ControlPlane.Bench.Load;
using ControlPlane.Bench.Mesh;
using ControlPlane.Bench.Server;
using ControlPlane.Xds;

namespace ControlPlane.Bench.Scenarios;

/// <summary>What the end-to-end scenarios share: host settings, and figures every one of them reports.</summary>
public static class EndToEnd
{
    /// <summary>
    /// The config directory source waits this long after a file event before re-reading, to let an
    /// editor finish writing; the load tool replaces files by atomic rename, so no settling is needed and
    /// the delay would only add a constant. The hub keeps its default debounce.
    /// </summary>
    public static readonly string[] HostArgs = ["--ConfigDirectory:DebounceMilliseconds=0"];

    /// <summary>Starts a fleet and waits for every client's initial sync; returns how long that took.</summary>
    public static async Task<double> SyncFleetAsync(ZtunnelFleet fleet, MeshShape shape, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await fleet.WaitInitialAsync(TimeSpan.FromMinutes(15), cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        foreach (var client in fleet.Clients)
        {
            var initial = client.InitialResponses;
            if (initial[TypeUrls.Address].Resources != shape.AddressResources || initial[TypeUrls.Authorization].Resources != shape.AuthorizationResources)
            {
                throw new InvalidOperationException($"client {client.Id} got {initial[TypeUrls.Address].Resources} Address and {initial[TypeUrls.Authorization].Resources} " +
                    $"Authorization resources in its initial sync, expected {shape.AddressResources} and {shape.AuthorizationResources}");
            }
        }
        return elapsed;
    }

    /// <summary>A full blocking GC in the server process and in this one (the clients' side).</summary>
    public static async Task CollectAsync(ServerProcess server, CancellationToken cancellationToken)
    {
        await server.StatsAsync(collect: true, cancellationToken).ConfigureAwait(false);
        ProcessSnapshot.Take(collect: true);
    }

    /// <summary>Version checks and decodes of a fleet, plus the stage breakdown when the clocks can be compared.</summary>
    public static async Task<StageBreakdown?> AddFleetFiguresAsync(ScenarioResult result, ZtunnelFleet fleet, ServerProcess server, bool clockShared,
        IEnumerable<TrackedChange> changes, CancellationToken cancellationToken)
    {
        result.Add("versions_checked", fleet.VersionsChecked).Add("version_mismatches", fleet.VersionMismatches).Add("resources_decoded", fleet.Decoded);
        if (!clockShared)
        {
            result.Add("stage_breakdown", "unavailable: the server's clock cannot be compared with ours");
            return null;
        }
        var breakdown = StageBreakdown.Of(changes, await server.StagesAsync(cancellationToken).ConfigureAwait(false));
        breakdown.AddTo(result);
        return breakdown;
    }
}
