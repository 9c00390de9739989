using ControlPlane.Host.Options;
using ControlPlane.Kubernetes;
using ControlPlane.Kubernetes.Clusters;
using ControlPlane.Xds;
using ControlPlane.Xds.Hub;
using ControlPlane.Xds.Server;
using Microsoft.Extensions.Options;

namespace ControlPlane.Host.Endpoints;

/// <summary><c>/ready</c> and the <c>/debug/...</c> views of the HTTP port.</summary>
public static class DebugEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/ready", (Readiness readiness) =>
        {
            var pending = readiness.Pending();
            return pending.Count == 0
                ? Results.Text("ready\n")
                : Results.Text($"not ready: waiting for {string.Join(", ", pending)}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        });

        app.MapGet("/debug/connections", (ConnectionRegistry registry) =>
            registry.All.OrderBy(c => c.ConnectedAt).Select(c => new
            {
                c.Id,
                c.Protocol,
                Node = c.Proxy?.Id,
                Kind = c.Proxy?.Kind.ToString(),
                c.ConnectedAt,
                Types = c.SnapshotTypes(),
            }));

        app.MapGet("/debug/resources", (XdsHub hub) =>
            hub.Tables.OrderBy(t => t.Key.TypeUrl, StringComparer.Ordinal).ThenBy(t => t.Key.Scope, StringComparer.Ordinal)
                .ThenBy(t => t.Key.Level, StringComparer.Ordinal)
                .Select(t => new { t.Key.TypeUrl, t.Key.Scope, t.Key.Level, t.Count, t.Generation }));

        // Looked up, never created: asking for a made-up type URL, scope or level must not grow the hub
        // (?level= shows a compatibility variant, but only one that proxies already use).
        app.MapGet("/debug/resources/{**typeUrl}", (string typeUrl, string? scope, string? level, XdsHub hub) =>
        {
            var key = new Xds.Resources.TableKey(typeUrl, scope ?? string.Empty, level ?? string.Empty);
            return hub.TryGetTable(key, out var table)
                ? Results.Ok(table.All.OrderBy(r => r.Name, StringComparer.Ordinal).Select(r => new { r.Name, r.Version, Bytes = r.Body.Length }))
                : Results.NotFound($"no proxy is served {key}\n");
        });

        app.MapGet("/debug/config", (IOptions<XdsOptions> xds, IOptions<PortOptions> host, IOptions<MeshOptions> mesh) =>
            new { Xds = xds.Value, Ports = host.Value, Mesh = mesh.Value });

        // The source, and every watched cluster: informer sync state, staleness (unreachable API server), last errors.
        app.MapGet("/debug/clusters", (SourceSelection source, IOptions<KubernetesOptions> kubernetes, ClusterRegistry clusters) =>
            new { Source = source.Mode.ToString(), kubernetes.Value.KubeConfig, Clusters = clusters.Status() });
    }
}
