using ControlPlane.Ambient.Model;
using Istio.Workload;

namespace ControlPlane.Ambient.Builders;

/// <summary>
/// ServiceEntry → one Service per host it publishes, and one Workload per endpoint (or, for a DNS entry
/// without endpoints or selector, one implicit Workload per host addressed by hostname) (spec §3.4).
/// </summary>
public static class ServiceEntryBuilder
{
    public static IEnumerable<AmbientResource> Build(ServiceEntry entry, NamespaceView view)
    {
        var services = view.ServicesOf(entry);
        if (services.Count == 0)
        {
            // Every host lost to a Kubernetes Service or an older entry: nothing of it is published.
            return [];
        }
        var resources = new List<AmbientResource>();
        foreach (var service in services)
        {
            resources.Add(AmbientResource.Address(BuildService(entry, service.Hostname, view)));
        }
        var implicitEndpoints = entry.Endpoints.Count == 0 && entry.WorkloadSelector is null &&
            entry.Resolution is "DNS" or "DNS_ROUND_ROBIN" or "DYNAMIC_DNS";
        if (implicitEndpoints)
        {
            foreach (var service in services)
            {
                var endpoint = new WorkloadEndpoint { Address = service.Hostname };
                resources.Add(AmbientResource.Address(BuildWorkload(entry, endpoint, [service], bindWaypoint: false, view)));
            }
            return resources;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in entry.Endpoints)
        {
            // Two endpoints with one address would share a uid; the first one wins.
            if (seen.Add(endpoint.Address))
            {
                resources.Add(AmbientResource.Address(BuildWorkload(entry, endpoint, services, bindWaypoint: true, view)));
            }
        }
        return resources;
    }

    private static Service BuildService(ServiceEntry entry, string host, NamespaceView view)
    {
        var network = view.Mesh.Network;
        var service = new Service
        {
            Name = entry.Meta.Name,
            Namespace = entry.Meta.Namespace,
            Hostname = host,
            Canonical = view.Mesh.IsCanonicalHost(host, view.Name),
        };
        foreach (var address in entry.Addresses)
        {
            if (IpBytes.TryParsePrefix(address, mask: true, out var bytes, out var length))
            {
                var networkAddress = new NetworkAddress { Network = network, Address = bytes };
                if (length != bytes.Length * 8)
                {
                    networkAddress.Length = length;
                }
                service.Addresses.Add(networkAddress);
            }
        }
        if (service.Addresses.Count == 0 && AutoAllocates(entry) && (!host.StartsWith('*') || entry.Resolution == "DYNAMIC_DNS"))
        {
            foreach (var allocated in entry.AllocatedAddresses)
            {
                if (allocated.Host == host && IpBytes.TryParse(allocated.Value, out var bytes))
                {
                    service.Addresses.Add(new NetworkAddress { Network = network, Address = bytes });
                }
            }
        }
        foreach (var port in entry.Ports)
        {
            service.Ports.Add(new Port
            {
                ServicePort = port.Number,
                TargetPort = port.TargetPort == 0 ? port.Number : port.TargetPort,
                AppProtocol = AppProtocols.FromServiceEntry(port.Protocol),
            });
        }
        service.SubjectAltNames.AddRange(entry.SubjectAltNames);
        // Resolution NONE: no endpoint selection at all, traffic goes to the address the client dialled.
        service.LoadBalancing = entry.Resolution == "NONE"
            ? new LoadBalancing { Mode = LoadBalancing.Types.Mode.Passthrough, HealthPolicy = LoadBalancing.Types.HealthPolicy.AllowAll }
            : KubeServiceBuilder.TrafficDistribution(null, entry.Meta.Annotations, view.NamespaceAnnotations);
        KubeServiceBuilder.SetWaypoint(service, entry.Meta, view);
        return service;
    }

    /// <summary>Auto-allocated VIPs apply unless resolution is NONE, the entry has its own, or it opts out.</summary>
    private static bool AutoAllocates(ServiceEntry entry) =>
        entry.Resolution != "NONE" && entry.Addresses.Count == 0 &&
        !string.Equals(entry.Meta.Labels.Get(WellKnown.EnableAutoallocateIpLabel), "false", StringComparison.OrdinalIgnoreCase);

    private static Workload BuildWorkload(ServiceEntry entry, WorkloadEndpoint endpoint, IReadOnlyList<WorkloadService> services, bool bindWaypoint, NamespaceView view)
    {
        var meta = entry.Meta;
        var mesh = view.Settings;
        var workload = new Workload
        {
            Uid = Names.ServiceEntryUid(meta.Cluster, meta.Namespace, meta.Name, endpoint.Address),
            Name = meta.Name,
            Namespace = meta.Namespace,
            Network = endpoint.Network.Length > 0 ? endpoint.Network : view.Mesh.Network,
            ClusterId = meta.Cluster,
            ServiceAccount = endpoint.ServiceAccount,
            Status = WorkloadStatus.Healthy,
            TrustDomain = WorkloadFields.TrustDomain(mesh),
            Locality = WorkloadFields.ParseLocality(endpoint.Locality),
            WorkloadName = meta.Name,
            WorkloadType = WorkloadType.Pod,
        };
        if (endpoint.Weight > 0)
        {
            workload.Capacity = endpoint.Weight;
        }
        if (IpBytes.TryParse(endpoint.Address, out var bytes))
        {
            workload.Addresses.Add(bytes);
        }
        else
        {
            workload.Hostname = endpoint.Address;
        }
        foreach (var service in services)
        {
            workload.Services[service.Key] = WorkloadFields.EndpointPorts(endpoint, service);
        }
        // Policies select on the entry's labels; the waypoint binding reads the endpoint's labels.
        workload.AuthorizationPolicies.AddRange(view.PolicyKeysFor(meta.Labels));
        if (bindWaypoint)
        {
            if (WaypointResolver.InstanceOf(endpoint.Labels, view) is { } instanceOf)
            {
                workload.ApplicationTunnel = instanceOf.Binding?.ToApplicationTunnel();
            }
            else if (WaypointResolver.ForWorkload(endpoint.Labels, view) is { } waypoint)
            {
                workload.Waypoint = waypoint.ToGatewayAddress(view.Mesh.Network);
            }
        }
        WorkloadFields.SetCanonical(workload, meta.Labels);
        WorkloadFields.SetTunnel(workload, meta.Labels, meta.Annotations);
        return workload;
    }
}
