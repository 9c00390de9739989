using System.Globalization;
using System.Text;
using ControlPlane.Ca.Server;
using ControlPlane.Grains.Namespaces;
using ControlPlane.Kubernetes.Clusters;
using ControlPlane.Xds.Hub;
using ControlPlane.Xds.Server;

namespace ControlPlane.Host.Endpoints;

/// <summary>Prometheus text exposition of the control plane's counters on the monitoring port.</summary>
public static class MetricsEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/metrics", (HttpContext context, XdsMetrics metrics, XdsHub hub) =>
            Results.Text(
                Render(
                    metrics, hub, context.RequestServices.GetService<CaMetrics>(), context.RequestServices.GetService<ClusterRegistry>()?.Status(),
                    context.RequestServices.GetService<NamespaceBuildMetrics>()),
                "text/plain; version=0.0.4"));

    public static string Render(
        XdsMetrics metrics, XdsHub hub, CaMetrics? ca = null, IReadOnlyList<ClusterStatus>? clusters = null, NamespaceBuildMetrics? builds = null)
    {
        var text = new StringBuilder();
        Gauge(text, "controlplane_xds_connections", "Open ADS streams.", ("protocol=\"delta\"", metrics.DeltaConnections), ("protocol=\"sotw\"", metrics.SotwConnections));
        Counter(text, "controlplane_xds_requests_total", "Discovery requests received.", metrics.Requests);
        Counter(text, "controlplane_xds_responses_total", "Discovery responses sent.", metrics.Responses);
        Counter(text, "controlplane_xds_resources_sent_total", "Resources sent in responses.", metrics.ResourcesSent);
        Counter(text, "controlplane_xds_acks_total", "Responses acknowledged.", metrics.Acks);
        Counter(text, "controlplane_xds_nacks_total", "Responses rejected by clients.", metrics.Nacks);
        Counter(text, "controlplane_xds_stale_nonces_total", "Requests ignored for a stale nonce.", metrics.StaleNonces);
        Counter(text, "controlplane_xds_bad_requests_total", "Streams ended for invalid requests.", metrics.BadRequests);
        Counter(text, "controlplane_xds_pushes_total", "Responses that carried a hub push.", metrics.Pushes);
        Counter(text, "controlplane_xds_push_latency_seconds_sum", "Sum of publish-to-write push latency.", metrics.PushLatencySecondsSum);
        Counter(text, "controlplane_hub_commits_total", "Push batches committed by the hub.", hub.Version);
        if (builds is not null)
        {
            Counter(text, "controlplane_namespace_rebuilds_total", "Rebuilds by namespace grains on this replica that built at least one object.", builds.Rebuilds);
            Counter(text, "controlplane_namespace_objects_built_total", "Objects whose resources namespace grains on this replica built.", builds.ObjectsBuilt);
        }
        var tables = hub.Tables.Select(t => ($"type_url=\"{t.Key.TypeUrl}\",scope=\"{t.Key.Scope}\",level=\"{t.Key.Level}\"", (double)t.Count)).ToArray();
        Gauge(text, "controlplane_hub_resources", "Resources per table.", tables);
        if (ca is not null)
        {
            // istiod's names, so existing dashboards and alerts keep working.
            Counter(text, "citadel_server_csr_count", "CSRs received.", ca.Requests);
            Counter(text, "citadel_server_success_cert_issuance_count", "Certificates issued.", ca.Issued);
            Counter(text, "citadel_server_authentication_failure_count", "CSRs refused for authentication or impersonation.", ca.AuthenticationFailures);
            Counter(text, "citadel_server_csr_parsing_err_count", "CSRs refused as invalid.", ca.CsrErrors);
        }
        if (clusters is not null)
        {
            RenderClusters(text, clusters);
        }
        return text.ToString();
    }

    /// <summary>The Kubernetes clusters watched and their informers, one sample per cluster and resource.</summary>
    private static void RenderClusters(StringBuilder text, IReadOnlyList<ClusterStatus> clusters)
    {
        // istiod's name and labels.
        Gauge(text, "istiod_managed_clusters", "Kubernetes clusters watched.",
            ("cluster_type=\"local\"", clusters.Count(c => c.Local)), ("cluster_type=\"remote\"", clusters.Count(c => !c.Local)));
        Gauge(text, "controlplane_kube_cluster_stale", "1 while some informer of the cluster cannot list or watch (its last known objects are served).",
            [.. clusters.Select(c => (Label("cluster", c.Id), c.Stale ? 1d : 0d))]);
        var informers = clusters.SelectMany(c => c.Informers.Select(i => (Labels: $"{Label("cluster", c.Id)},{Label("resource", i.Resource)}", Status: i))).ToList();
        Gauge(text, "controlplane_kube_informer_synced", "1 once the informer's initial list was delivered.", [.. informers.Select(i => (i.Labels, i.Status.Synced ? 1d : 0d))]);
        Gauge(text, "controlplane_kube_informer_objects", "Objects held by the informer.", [.. informers.Select(i => (i.Labels, (double)i.Status.Objects))]);
        Gauge(text, "controlplane_kube_informer_invalid_objects", "Objects that did not convert (kept at their last good version).", [.. informers.Select(i => (i.Labels, (double)i.Status.Invalid))]);
        Counter(text, "controlplane_kube_informer_lists_total", "Lists (initial and relists after 410 or errors).", [.. informers.Select(i => (i.Labels, (double)i.Status.Lists))]);
        Counter(text, "controlplane_kube_informer_watches_total", "Watches opened.", [.. informers.Select(i => (i.Labels, (double)i.Status.Watches))]);
        Counter(text, "controlplane_kube_informer_events_total", "Watch events received (bookmarks excluded).", [.. informers.Select(i => (i.Labels, (double)i.Status.Events))]);
        Counter(text, "controlplane_kube_informer_changes_total", "Object changes delivered to the grains.", [.. informers.Select(i => (i.Labels, (double)i.Status.Delivered))]);
    }

    private static string Label(string name, string value) =>
        $"{name}=\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"";

    private static void Counter(StringBuilder text, string name, string help, double value)
    {
        Header(text, name, help, "counter");
        text.Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static void Counter(StringBuilder text, string name, string help, params (string Labels, double Value)[] samples) =>
        Samples(text, name, help, "counter", samples);

    private static void Gauge(StringBuilder text, string name, string help, params (string Labels, double Value)[] samples) =>
        Samples(text, name, help, "gauge", samples);

    private static void Samples(StringBuilder text, string name, string help, string type, (string Labels, double Value)[] samples)
    {
        Header(text, name, help, type);
        foreach (var (labels, value) in samples)
        {
            text.Append(name).Append('{').Append(labels).Append("} ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
    }

    private static void Header(StringBuilder text, string name, string help, string type)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }
}
