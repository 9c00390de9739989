using ControlPlane.Ambient.Model;
using Istio.Workload;

namespace ControlPlane.Ambient.Builders;

/// <summary>
/// EndpointSlice → Workloads for endpoints that are not pods (spec §3.5), e.g. the API server behind
/// the <c>kubernetes</c> Service. Pod endpoints are skipped: the pods are workloads themselves.
/// </summary>
public static class EndpointSliceBuilder
{
    public static IEnumerable<Workload> Build(EndpointSlice slice, NamespaceView view)
    {
        if (slice.ServiceName is not { } serviceName || slice.AddressType == "FQDN" ||
            view.KubeServiceNamed(serviceName) is not { } service)
        {
            yield break;
        }
        // Slice ports carry the Service port's name and the endpoints' port: join them by name.
        var ports = new PortList();
        foreach (var slicePort in slice.Ports)
        {
            if (slicePort is not { Name: { } name, Port: { } port, Protocol: "TCP" })
            {
                continue;
            }
            foreach (var servicePort in service.Ports)
            {
                if (servicePort.PortName == name)
                {
                    ports.Ports.Add(new Port { ServicePort = servicePort.ServicePort, TargetPort = (uint)port });
                    break;
                }
            }
        }
        var mesh = view.Settings;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in slice.Endpoints)
        {
            if (endpoint.TargetRef?.Kind == Kinds.Pod || endpoint.Addresses.Count == 0 || !seen.Add(endpoint.Addresses[0]))
            {
                continue;
            }
            var workload = new Workload
            {
                Uid = Names.EndpointSliceUid(slice.Meta.Cluster, slice.Meta.Namespace, slice.Meta.Name, endpoint.Addresses[0]),
                Name = slice.Meta.Name,
                Namespace = slice.Meta.Namespace,
                Network = view.Mesh.Network,
                TrustDomain = WorkloadFields.TrustDomain(mesh),
                Status = endpoint.Ready is null or true ? WorkloadStatus.Healthy : WorkloadStatus.Unhealthy,
                ClusterId = slice.Meta.Cluster,
                // Nothing is known about who is behind an opaque endpoint: treat its IP as shared.
                NetworkMode = NetworkMode.HostNetwork,
                Services = { [service.Key] = ports.Clone() },
            };
            var valid = true;
            foreach (var address in endpoint.Addresses)
            {
                if (!IpBytes.TryParse(address, out var bytes))
                {
                    valid = false;
                    break;
                }
                workload.Addresses.Add(bytes);
            }
            if (valid)
            {
                yield return workload;
            }
        }
    }
}
