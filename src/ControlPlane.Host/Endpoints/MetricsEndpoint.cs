using System.Globalization;
using System.Text;
using ControlPlane.Ca.Server;
using ControlPlane.Xds.Hub;
using ControlPlane.Xds.Server;

namespace ControlPlane.Host.Endpoints;

/// <summary>Prometheus text exposition of the control plane's counters on the monitoring port.</summary>
public static class MetricsEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/metrics", (HttpContext context, XdsMetrics metrics, XdsHub hub) =>
            Results.Text(Render(metrics, hub, context.RequestServices.GetService<CaMetrics>()), "text/plain; version=0.0.4"));

    public static string Render(XdsMetrics metrics, XdsHub hub, CaMetrics? ca = null)
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
        return text.ToString();
    }

    private static void Counter(StringBuilder text, string name, string help, double value)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(" counter\n");
        text.Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static void Gauge(StringBuilder text, string name, string help, params (string Labels, double Value)[] samples)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(" gauge\n");
        foreach (var (labels, value) in samples)
        {
            text.Append(name).Append('{').Append(labels).Append("} ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
    }
}
