using ControlPlane.Ambient.Model;

namespace ControlPlane.Ambient.Builders;

/// <summary>Gateway (+ its GatewayClass) → the waypoint registry entry (spec §3.6).</summary>
public static class WaypointBuilder
{
    /// <summary>Listener protocol of a waypoint's PROXY-protocol ("sandwich") listener.</summary>
    public const string ProxyListenerProtocol = "istio.io/PROXY";

    /// <summary>
    /// The waypoint, or null while the Gateway has no status address (not ready: nothing binds to it).
    /// As in istiod, any Gateway with an address is a waypoint candidate; binding labels pick it.
    /// </summary>
    public static Waypoint? FromGateway(Gateway gateway, GatewayClass? gatewayClass)
    {
        if (gateway.Addresses.Count == 0)
        {
            return null;
        }
        // Gateway label > GatewayClass label > "service".
        var trafficType = gateway.Meta.Labels.Get(WellKnown.WaypointForLabel)
            ?? gatewayClass?.Meta.Labels.Get(WellKnown.WaypointForLabel)
            ?? TrafficTypes.Service;
        // The Gateway's annotation wins over the class's, even when it does not parse.
        var binding = InboundBinding.Parse(gateway.Meta.Annotations.Get(WellKnown.WaypointInboundBindingAnnotation)
            ?? gatewayClass?.Meta.Annotations.Get(WellKnown.WaypointInboundBindingAnnotation));
        return new Waypoint
        {
            Namespace = gateway.Meta.Namespace,
            Name = gateway.Meta.Name,
            Address = AddressOf(gateway),
            TrafficType = trafficType,
            AllowedRoutes = AllowedRoutesOf(gateway, binding),
            Binding = binding,
        };
    }

    /// <summary>A hostname status address if there is one (stable), else the first IP that parses.</summary>
    private static WaypointAddress? AddressOf(Gateway gateway)
    {
        foreach (var address in gateway.Addresses)
        {
            if (address.Type == "Hostname")
            {
                return new WaypointAddress(address.Value, null);
            }
        }
        foreach (var address in gateway.Addresses)
        {
            if (address.Type == "IPAddress" && IpBytes.TryParseAddress(address.Value, out _))
            {
                return new WaypointAddress(null, address.Value);
            }
        }
        return null;
    }

    /// <summary>The inbound-binding listener's allowedRoutes, else the HBONE listener's (port 15008), else Same.</summary>
    private static RouteNamespaces AllowedRoutesOf(Gateway gateway, InboundBinding? binding)
    {
        if (binding is not null)
        {
            foreach (var listener in gateway.Listeners)
            {
                var bound = binding.Port != 0
                    ? listener.Port == binding.Port
                    : binding.Protocol == "PROXY" && listener.Protocol == ProxyListenerProtocol;
                if (bound)
                {
                    return listener.AllowedRoutes ?? RouteNamespaces.Same;
                }
            }
        }
        foreach (var listener in gateway.Listeners)
        {
            if (listener.Protocol == "HBONE" && listener.Port == WellKnown.HbonePort)
            {
                return listener.AllowedRoutes ?? RouteNamespaces.Same;
            }
        }
        return RouteNamespaces.Same;
    }
}
