using ControlPlane.Ambient.Collections;
using ControlPlane.Ambient.Model;
using k8s;
using k8s.Models;

namespace ControlPlane.Kubernetes.Conversion;

/// <summary>
/// Kubernetes API objects → the records the ambient builders consume. Shared by every source (config
/// directory, informers) so an object means the same wherever it came from.
/// </summary>
public static class KubeObjectConverter
{
    /// <summary>Converts one YAML document of the given <c>apiVersion/kind</c>; null for kinds not used.</summary>
    public static IMeshObject? Convert(string apiVersionKind, string yaml, string cluster) => apiVersionKind switch
    {
        "v1/Namespace" => FromNamespace(KubernetesYaml.Deserialize<V1Namespace>(yaml), cluster),
        "v1/Node" => FromNode(KubernetesYaml.Deserialize<V1Node>(yaml), cluster),
        "v1/Pod" => FromPod(KubernetesYaml.Deserialize<V1Pod>(yaml), cluster),
        "v1/Service" => FromService(KubernetesYaml.Deserialize<V1Service>(yaml), cluster),
        _ => null,
    };

    public static KubeNamespace FromNamespace(V1Namespace ns, string cluster) =>
        new() { Meta = Meta(ns.Metadata, cluster, namespaced: false) };

    public static KubeNode FromNode(V1Node node, string cluster) =>
        new() { Meta = Meta(node.Metadata, cluster, namespaced: false) };

    public static Pod FromPod(V1Pod pod, string cluster)
    {
        var spec = pod.Spec ?? new V1PodSpec();
        var status = pod.Status ?? new V1PodStatus();
        var ips = status.PodIPs is { Count: > 0 } podIps
            ? podIps.Select(ip => ip.Ip).Where(ip => !string.IsNullOrEmpty(ip))
            : string.IsNullOrEmpty(status.PodIP) ? [] : [status.PodIP];
        var ipList = ips.ToList();
        RequireIps(ipList, "status.podIPs");
        var ports = new List<ContainerPort>();
        foreach (var container in spec.Containers ?? [])
        {
            AddPorts(ports, container.Ports);
        }
        foreach (var init in spec.InitContainers ?? [])
        {
            // Native sidecars (restartPolicy Always) serve traffic like containers do.
            if (init.RestartPolicy == "Always")
            {
                AddPorts(ports, init.Ports);
            }
        }
        var controller = pod.Metadata?.OwnerReferences?.FirstOrDefault(o => o.Controller == true);
        return new Pod
        {
            Meta = Meta(pod.Metadata, cluster, namespaced: true),
            NodeName = spec.NodeName ?? string.Empty,
            ServiceAccount = spec.ServiceAccountName ?? string.Empty,
            Ips = new ValueList<string>(ipList),
            Phase = status.Phase ?? string.Empty,
            Ready = status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true,
            HostNetwork = spec.HostNetwork == true,
            ContainerPorts = new ValueList<ContainerPort>(ports),
            Controller = controller is null ? null : new OwnerReference(controller.Kind, controller.Name),
        };
    }

    public static KubeService FromService(V1Service service, string cluster)
    {
        var spec = service.Spec ?? new V1ServiceSpec();
        var clusterIps = spec.ClusterIPs is { Count: > 0 } ips ? ips : string.IsNullOrEmpty(spec.ClusterIP) ? [] : [spec.ClusterIP];
        RequireIps(clusterIps.Where(ip => ip is not ("" or "None")), "spec.clusterIPs");
        var ports = new List<ServicePort>();
        foreach (var port in spec.Ports ?? [])
        {
            var target = port.TargetPort?.Value;
            int? number = int.TryParse(target, out var parsed) ? parsed : null;
            var named = target is { Length: > 0 } && number is null ? target : null;
            ports.Add(new ServicePort(
                port.Name ?? string.Empty,
                port.Port,
                named is null ? number ?? port.Port : 0,
                named,
                port.Protocol ?? "TCP",
                port.AppProtocol));
        }
        return new KubeService
        {
            Meta = Meta(service.Metadata, cluster, namespaced: true),
            Type = spec.Type ?? "ClusterIP",
            Selector = spec.Selector is { Count: > 0 } selector ? new StringMap(selector) : null,
            ClusterIps = new ValueList<string>(clusterIps),
            Ports = new ValueList<ServicePort>(ports),
            IpFamilies = new ValueList<string>(spec.IpFamilies ?? []),
            InternalTrafficPolicy = spec.InternalTrafficPolicy,
            TrafficDistribution = spec.TrafficDistribution,
            PublishNotReadyAddresses = spec.PublishNotReadyAddresses == true,
        };
    }

    private static void RequireIps(IEnumerable<string> ips, string field)
    {
        foreach (var ip in ips)
        {
            if (!System.Net.IPAddress.TryParse(ip, out _))
            {
                throw new InvalidObjectException($"{field}: '{ip}' is not an IP address");
            }
        }
    }

    private static void AddPorts(List<ContainerPort> ports, IList<V1ContainerPort>? declared)
    {
        foreach (var port in declared ?? [])
        {
            ports.Add(new ContainerPort(port.Name ?? string.Empty, port.ContainerPort, port.Protocol ?? "TCP"));
        }
    }

    private static ObjectMeta Meta(V1ObjectMeta? metadata, string cluster, bool namespaced)
    {
        if (metadata is null || string.IsNullOrEmpty(metadata.Name))
        {
            throw new InvalidObjectException("metadata.name is required");
        }
        return new ObjectMeta
        {
            Cluster = cluster,
            // As kubectl does, a namespaced object without a namespace lands in "default".
            Namespace = namespaced ? (string.IsNullOrEmpty(metadata.NamespaceProperty) ? "default" : metadata.NamespaceProperty) : string.Empty,
            Name = metadata.Name,
            Labels = metadata.Labels is null ? StringMap.Empty : new StringMap(metadata.Labels),
            Annotations = metadata.Annotations is null ? StringMap.Empty : new StringMap(metadata.Annotations),
            CreationTimestamp = metadata.CreationTimestamp is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : default,
            Deleting = metadata.DeletionTimestamp is not null,
            Uid = metadata.Uid ?? string.Empty,
        };
    }
}
