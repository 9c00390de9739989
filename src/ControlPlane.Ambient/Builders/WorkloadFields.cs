using ControlPlane.Ambient.Collections;
using ControlPlane.Ambient.Model;
using Istio.Workload;

namespace ControlPlane.Ambient.Builders;

/// <summary>Workload fields every workload source derives the same way (spec §3.1, §3.2).</summary>
public static class WorkloadFields
{
    private const string DefaultTrustDomain = "cluster.local";

    /// <summary>The mesh trust domain, sent empty when it is ztunnel's default.</summary>
    public static string TrustDomain(MeshSettings mesh) => mesh.TrustDomain == DefaultTrustDomain ? string.Empty : mesh.TrustDomain;

    /// <summary>
    /// HBONE when istio-cni set <c>ambient.istio.io/redirection: enabled</c>; HBONE and native_tunnel
    /// when the tunnel label lists <c>http</c>. Never LEGACY_ISTIO_MTLS (ztunnel rejects it).
    /// </summary>
    public static void SetTunnel(Workload workload, StringMap labels, StringMap annotations)
    {
        if (annotations.Get(WellKnown.RedirectionAnnotation) == "enabled")
        {
            workload.TunnelProtocol = TunnelProtocol.Hbone;
        }
        // A comma-separated list, compared item by item as written (istiod does not trim).
        if (labels.Get(WellKnown.TunnelLabel) is { } tunnel && tunnel.Split(',').Contains("http", StringComparer.Ordinal))
        {
            workload.TunnelProtocol = TunnelProtocol.Hbone;
            workload.NativeTunnel = true;
        }
    }

    /// <summary>Canonical service name and revision: the first label present, else the workload name / <c>latest</c>.</summary>
    public static void SetCanonical(Workload workload, StringMap labels)
    {
        workload.CanonicalName = FirstPresent(labels, WellKnown.CanonicalNameLabel, WellKnown.AppNameLabel, WellKnown.AppLabel) ?? workload.WorkloadName;
        workload.CanonicalRevision = FirstPresent(labels, WellKnown.CanonicalRevisionLabel, WellKnown.AppVersionLabel, WellKnown.VersionLabel) ?? "latest";
    }

    /// <summary><c>region/zone/subzone</c> (fewer parts allowed); null when all are empty.</summary>
    public static Locality? ParseLocality(string locality)
    {
        var parts = locality.Split('/');
        var region = parts[0];
        var zone = parts.Length > 1 ? parts[1] : string.Empty;
        var subzone = parts.Length > 2 ? parts[2] : string.Empty;
        return region.Length + zone.Length + subzone.Length == 0 ? null : new Locality { Region = region, Zone = zone, Subzone = subzone };
    }

    /// <summary>
    /// The <c>services</c> entry of a WorkloadEntry or ServiceEntry endpoint: named target ports through
    /// the endpoint's <c>ports</c> (Kubernetes Services: unresolvable ⇒ port omitted; ServiceEntries and
    /// numeric targets: the port of the same name overrides, else the target).
    /// </summary>
    public static PortList EndpointPorts(WorkloadEndpoint endpoint, WorkloadService service)
    {
        var ports = new PortList();
        foreach (var port in service.Ports)
        {
            uint target;
            if (port.TargetPortName is { } targetName)
            {
                if (endpoint.PortNamed(targetName) is not { } named)
                {
                    continue;
                }
                target = named;
            }
            else
            {
                target = endpoint.PortNamed(port.PortName) ?? (port.TargetPort == 0 ? port.ServicePort : port.TargetPort);
            }
            ports.Ports.Add(new Port { ServicePort = port.ServicePort, TargetPort = target });
        }
        return ports;
    }

    private static string? FirstPresent(StringMap labels, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (labels.TryGetValue(key, out var value))
            {
                return value;
            }
        }
        return null;
    }
}
