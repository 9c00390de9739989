using ControlPlane.Ambient.Model;
using Istio.Workload;

namespace ControlPlane.Ambient.Builders;

/// <summary>Kubernetes Service → ambient Service (spec §3.3).</summary>
public static class KubeServiceBuilder
{
    /// <summary>The Service resource, or null for ExternalName Services.</summary>
    public static Service? Build(KubeService kube, ServiceContext context)
    {
        if (kube.Type == "ExternalName")
        {
            return null;
        }
        var meta = kube.Meta;
        var service = new Service
        {
            Name = meta.Name,
            Namespace = meta.Namespace,
            Hostname = Names.ServiceHostname(meta.Name, meta.Namespace, context.Mesh.DomainSuffix),
            Canonical = true,
            IpFamilies = kube.IpFamilies.Count switch
            {
                2 => IPFamilies.Dual,
                1 when kube.IpFamilies[0] == "IPv4" => IPFamilies.Ipv4Only,
                1 when kube.IpFamilies[0] == "IPv6" => IPFamilies.Ipv6Only,
                _ => IPFamilies.Automatic,
            },
        };
        foreach (var ip in kube.ClusterIps)
        {
            if (ip is "" or "None" || !IpBytes.TryParse(ip, out var bytes))
            {
                continue;
            }
            service.Addresses.Add(new NetworkAddress { Network = context.Network, Address = bytes });
        }
        foreach (var port in kube.Ports)
        {
            service.Ports.Add(new Port
            {
                ServicePort = (uint)port.Port,
                TargetPort = port.TargetPortName is null ? (uint)port.TargetPort : 0,
                AppProtocol = AppProtocols.Infer(port.Name, port.Protocol, port.AppProtocol),
            });
        }
        service.LoadBalancing = LoadBalancingFor(kube, context.Namespace);
        return service;
    }

    private static LoadBalancing? LoadBalancingFor(KubeService kube, KubeNamespace? ns)
    {
        LoadBalancing? lb = null;
        if (kube.InternalTrafficPolicy == "Local")
        {
            lb = new LoadBalancing { Mode = LoadBalancing.Types.Mode.Strict, RoutingPreference = { LoadBalancing.Types.Scope.Node } };
        }
        else
        {
            var distribution = kube.TrafficDistribution
                ?? kube.Meta.Annotations.Get(WellKnown.TrafficDistributionAnnotation)
                ?? ns?.Meta.Annotations.Get(WellKnown.TrafficDistributionAnnotation);
            lb = TrafficDistribution(distribution);
        }
        if (kube.PublishNotReadyAddresses)
        {
            lb ??= new LoadBalancing();
            lb.HealthPolicy = LoadBalancing.Types.HealthPolicy.AllowAll;
        }
        return lb;
    }

    /// <summary>trafficDistribution values (case-insensitive) → failover preferences; unknown → none.</summary>
    public static LoadBalancing? TrafficDistribution(string? value)
    {
        LoadBalancing.Types.Scope[]? scopes = value?.ToLowerInvariant() switch
        {
            "preferclose" or "prefersamezone" =>
                [LoadBalancing.Types.Scope.Network, LoadBalancing.Types.Scope.Region, LoadBalancing.Types.Scope.Zone],
            "prefersamenode" =>
                [LoadBalancing.Types.Scope.Network, LoadBalancing.Types.Scope.Region, LoadBalancing.Types.Scope.Zone,
                 LoadBalancing.Types.Scope.Subzone, LoadBalancing.Types.Scope.Node],
            _ => null,
        };
        return scopes is null ? null : new LoadBalancing { Mode = LoadBalancing.Types.Mode.Failover, RoutingPreference = { scopes } };
    }
}
