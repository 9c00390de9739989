using ControlPlane.Ambient.Collections;
using ControlPlane.Ambient.Model;
using Istio.Workload;

namespace ControlPlane.Ambient.Builders;

/// <summary>
/// A ready waypoint: a Gateway with at least one status address (spec §3.6). Held in the mesh-wide
/// registry so that bindings from any namespace resolve against it.
/// </summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record Waypoint
{
    public required string Namespace { get; init; }

    public required string Name { get; init; }

    /// <summary>Null when no status address parses (istiod then binds but sends no address).</summary>
    public WaypointAddress? Address { get; init; }

    /// <summary>One of <see cref="TrafficTypes"/>; the default is <c>service</c>.</summary>
    public string TrafficType { get; init; } = TrafficTypes.Service;

    /// <summary>Which namespaces may bind to it: the HBONE (or inbound-binding) listener's allowedRoutes.</summary>
    public RouteNamespaces AllowedRoutes { get; init; } = RouteNamespaces.Same;

    /// <summary>Inbound delivery for the waypoint's own pods, if configured.</summary>
    public InboundBinding? Binding { get; init; }

    public string Key => Names.WaypointKey(Namespace, Name);

    /// <summary>May an object in <paramref name="ns"/> (with these namespace labels) bind to this waypoint?</summary>
    public bool AllowsAttachmentFrom(string ns, StringMap namespaceLabels) => AllowedRoutes.From switch
    {
        "All" => true,
        "Selector" => AllowedRoutes.Selector?.Matches(namespaceLabels) ?? false,
        _ => ns == Namespace,
    };

    /// <summary>The waypoint as ztunnel addresses it, or null when it has no usable address.</summary>
    public GatewayAddress? ToGatewayAddress(string network)
    {
        if (Address?.Hostname is { } hostname)
        {
            return new GatewayAddress
            {
                Hostname = new NamespacedHostname { Namespace = Namespace, Hostname = hostname },
                HboneMtlsPort = WellKnown.HbonePort,
            };
        }
        if (Address?.Ip is { } ip && IpBytes.TryParse(ip, out var bytes))
        {
            return new GatewayAddress
            {
                Address = new NetworkAddress { Network = network, Address = bytes },
                HboneMtlsPort = WellKnown.HbonePort,
            };
        }
        return null;
    }
}
