using ControlPlane.Ambient.Collections;
using ControlPlane.Ambient.Model;
using Istio.Workload;

namespace ControlPlane.Ambient.Builders;

/// <summary>Kubernetes Service → ambient Service (spec §3.3, §3.6).</summary>
public static class KubeServiceBuilder
{
    /// <summary>The Service resource, or null for ExternalName Services (and duplicates from other clusters).</summary>
    public static Service? Build(KubeService kube, NamespaceView view)
    {
        if (kube.Type == "ExternalName" || !view.Publishes(kube))
        {
            return null;
        }
        var meta = kube.Meta;
        var service = new Service
        {
            Name = meta.Name,
            Namespace = meta.Namespace,
            Hostname = Names.ServiceHostname(meta.Name, meta.Namespace, view.Settings.DomainSuffix),
            // A Kubernetes Service always wins lookups of its hostname.
            Canonical = true,
            IpFamilies = kube.IpFamilies.Count switch
            {
                2 => IPFamilies.Dual,
                1 when kube.IpFamilies[0] == "IPv4" => IPFamilies.Ipv4Only,
                1 => IPFamilies.Ipv6Only,
                _ => IPFamilies.Automatic,
            },
        };
        foreach (var ip in kube.ClusterIps)
        {
            if (ip is "" or "None" || !IpBytes.TryParse(ip, out var bytes))
            {
                continue;
            }
            service.Addresses.Add(new NetworkAddress { Network = view.Mesh.Network, Address = bytes });
        }
        foreach (var port in kube.Ports)
        {
            service.Ports.Add(new Port
            {
                ServicePort = (uint)port.Port,
                TargetPort = port.TargetPortName is null ? (uint)port.TargetPort : 0,
                AppProtocol = AppProtocols.FromKubernetes(port.Port, port.Name, port.Protocol, port.AppProtocol),
            });
        }
        service.LoadBalancing = LoadBalancingFor(kube, view.NamespaceAnnotations);
        SetWaypoint(service, meta, view);
        return service;
    }

    /// <summary>waypoint, weighted_waypoints and ingress_use_waypoint, for Services and ServiceEntries alike.</summary>
    public static void SetWaypoint(Service service, ObjectMeta meta, NamespaceView view)
    {
        if (WaypointResolver.ForService(meta.Labels, view) is not { } waypoint)
        {
            return;
        }
        service.Waypoint = waypoint.ToGatewayAddress(view.Mesh.Network);
        service.WeightedWaypoints.AddRange(WaypointResolver.Weighted(meta.Labels, meta.Annotations, waypoint, view));
        var ingress = meta.Labels.Get(WellKnown.IngressUseWaypointLabel) ?? view.NamespaceLabels.Get(WellKnown.IngressUseWaypointLabel);
        service.IngressUseWaypoint = GoStrings.ParseBool(ingress) == true;
    }

    private static LoadBalancing? LoadBalancingFor(KubeService kube, StringMap namespaceAnnotations)
    {
        var lb = kube.InternalTrafficPolicy == "Local"
            ? new LoadBalancing { Mode = LoadBalancing.Types.Mode.Strict, RoutingPreference = { LoadBalancing.Types.Scope.Node } }
            : TrafficDistribution(kube.TrafficDistribution, kube.Meta.Annotations, namespaceAnnotations);
        if (kube.PublishNotReadyAddresses)
        {
            lb ??= new LoadBalancing();
            lb.HealthPolicy = LoadBalancing.Types.HealthPolicy.AllowAll;
        }
        return lb;
    }

    /// <summary>
    /// The traffic distribution: <c>spec.trafficDistribution</c> (exact values; unknown ones fall through),
    /// else the annotation on the object, else on the namespace (case-insensitive; the first one set
    /// decides, unknown ⇒ none).
    /// </summary>
    public static LoadBalancing? TrafficDistribution(string? specValue, StringMap annotations, StringMap namespaceAnnotations)
    {
        switch (specValue)
        {
            case "PreferClose" or "PreferSameZone":
                return Failover(sameNode: false);
            case "PreferSameNode":
                return Failover(sameNode: true);
        }
        foreach (var source in new[] { annotations, namespaceAnnotations })
        {
            var value = source.Get(WellKnown.TrafficDistributionAnnotation);
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }
            return value.ToLowerInvariant() switch
            {
                "preferclose" or "prefersamezone" => Failover(sameNode: false),
                "prefersamenode" => Failover(sameNode: true),
                _ => null,
            };
        }
        return null;
    }

    private static LoadBalancing Failover(bool sameNode)
    {
        var lb = new LoadBalancing
        {
            Mode = LoadBalancing.Types.Mode.Failover,
            RoutingPreference = { LoadBalancing.Types.Scope.Network, LoadBalancing.Types.Scope.Region, LoadBalancing.Types.Scope.Zone },
        };
        if (sameNode)
        {
            lb.RoutingPreference.Add(LoadBalancing.Types.Scope.Subzone);
            lb.RoutingPreference.Add(LoadBalancing.Types.Scope.Node);
        }
        return lb;
    }
}
