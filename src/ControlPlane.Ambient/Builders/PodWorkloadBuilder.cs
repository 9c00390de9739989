using System.Text.RegularExpressions;
using ControlPlane.Ambient.Model;
using Istio.Workload;

namespace ControlPlane.Ambient.Builders;

/// <summary>Pod → Workload, as istiod builds it for ztunnel (spec §3.1, §3.2, §3.6, §3.8).</summary>
public static partial class PodWorkloadBuilder
{
    /// <summary>The pod's Workload, or null for a pod without a (valid) IP or in a terminal phase.</summary>
    public static Workload? Build(Pod pod, NamespaceView view)
    {
        if (pod.IsTerminal || pod.Ips.Count == 0)
        {
            return null;
        }
        var meta = pod.Meta;
        var mesh = view.Settings;
        var workload = new Workload
        {
            Uid = Names.PodUid(meta.Cluster, meta.Namespace, meta.Name),
            Name = meta.Name,
            Namespace = meta.Namespace,
            Network = view.Mesh.Network,
            ServiceAccount = pod.ServiceAccount,
            TrustDomain = WorkloadFields.TrustDomain(mesh),
            Node = pod.NodeName,
            ClusterId = meta.Cluster,
            WorkloadType = WorkloadType.Pod,
            Status = pod.Ready && !meta.Deleting ? WorkloadStatus.Healthy : WorkloadStatus.Unhealthy,
            NetworkMode = pod.HostNetwork ? NetworkMode.HostNetwork : NetworkMode.Standard,
            Locality = view.Mesh.NodeLocalities.GetValueOrDefault(pod.NodeName)?.ToProto(),
            WorkloadName = WorkloadName(pod),
        };
        foreach (var ip in pod.Ips)
        {
            // Any unparsable IP drops the whole pod, as istiod does.
            if (!IpBytes.TryParse(ip, out var bytes))
            {
                return null;
            }
            workload.Addresses.Add(bytes);
        }
        WorkloadFields.SetTunnel(workload, meta.Labels, meta.Annotations);
        WorkloadFields.SetCanonical(workload, meta.Labels);
        AddServices(workload, pod, view);
        workload.AuthorizationPolicies.AddRange(view.PolicyKeysFor(meta.Labels));
        if (WaypointResolver.InstanceOf(meta.Labels, view) is { } instanceOf)
        {
            // A waypoint's own pods never go through a waypoint; they may ask for PROXY delivery.
            workload.ApplicationTunnel = instanceOf.Binding?.ToApplicationTunnel();
        }
        else if (WaypointResolver.ForWorkload(meta.Labels, view) is { } waypoint)
        {
            workload.Waypoint = waypoint.ToGatewayAddress(view.Mesh.Network);
        }
        return workload;
    }

    /// <summary>
    /// The deployment-ish name: label <c>service.istio.io/workload-name</c>, else (for pods a controller
    /// generated) derived from the controller, else the pod name.
    /// </summary>
    public static string WorkloadName(Pod pod)
    {
        var labels = pod.Meta.Labels;
        if (labels.TryGetValue(WellKnown.WorkloadNameLabel, out var explicitName))
        {
            return explicitName;
        }
        if (pod.Meta.GenerateName.Length == 0 || pod.Controller is not { } controller)
        {
            return pod.Meta.Name;
        }
        if (controller.Kind == "ReplicaSet" && labels.Get(WellKnown.PodTemplateHashLabel) is { Length: > 0 } hash &&
            controller.Name.EndsWith(hash, StringComparison.Ordinal))
        {
            return TrimSuffix(controller.Name, "-" + hash);
        }
        if (controller.Kind == "ReplicaSet" && labels.Get(WellKnown.RolloutsPodTemplateHashLabel) is { Length: > 0 } rolloutHash &&
            controller.Name.EndsWith(rolloutHash, StringComparison.Ordinal))
        {
            return TrimSuffix(controller.Name, "-" + rolloutHash);
        }
        if (controller.Kind == "ReplicationController" && labels.Get(WellKnown.DeploymentConfigLabel) is { Length: > 0 } deploymentConfig)
        {
            return deploymentConfig;
        }
        if (controller.Kind == "Job" && CronJobSuffix().Match(controller.Name) is { Success: true } match)
        {
            return match.Groups[1].Value;
        }
        return controller.Name;
    }

    /// <summary>
    /// Services selecting the pod (Kubernetes Services and ServiceEntries of its namespace), plus
    /// selectorless Services whose EndpointSlice names it; per service the ports the pod serves.
    /// </summary>
    private static void AddServices(Workload workload, Pod pod, NamespaceView view)
    {
        var services = view.ServicesSelecting(pod.Meta.Labels);
        services.AddRange(view.SliceServicesOf(pod, services).ToList());
        foreach (var service in services)
        {
            var ports = new PortList();
            foreach (var port in service.Ports)
            {
                if (ResolveTargetPort(pod, service, port) is { } target)
                {
                    ports.Ports.Add(new Port { ServicePort = port.ServicePort, TargetPort = target });
                }
            }
            workload.Services[service.Key] = ports;
        }
    }

    /// <summary>
    /// Kubernetes named targets through the pod's TCP container ports (unresolvable ⇒ omitted);
    /// ServiceEntry ports by their name if a container port has it, else the entry's target port.
    /// </summary>
    private static uint? ResolveTargetPort(Pod pod, WorkloadService service, WorkloadServicePort port)
    {
        if (port.TargetPortName is { } targetName)
        {
            return ContainerPort(pod, targetName);
        }
        if (service.FromServiceEntry && port.PortName.Length > 0)
        {
            return ContainerPort(pod, port.PortName) ?? (port.TargetPort == 0 ? port.ServicePort : port.TargetPort);
        }
        return port.TargetPort;
    }

    private static uint? ContainerPort(Pod pod, string name)
    {
        foreach (var container in pod.ContainerPorts)
        {
            if (container.Name == name && container.Protocol == "TCP")
            {
                return (uint)container.Port;
            }
        }
        return null;
    }

    private static string TrimSuffix(string value, string suffix) =>
        value.EndsWith(suffix, StringComparison.Ordinal) ? value[..^suffix.Length] : value;

    [GeneratedRegex(@"^(.+)-\d{8,10}$")]
    private static partial Regex CronJobSuffix();
}
