using System.Text.RegularExpressions;
using ControlPlane.Ambient.Model;
using Istio.Workload;

namespace ControlPlane.Ambient.Builders;

/// <summary>Pod → Workload, as istiod builds it for ztunnel (spec §3.1, §3.2).</summary>
public static partial class PodWorkloadBuilder
{
    private const string DefaultTrustDomain = "cluster.local";

    /// <summary>The pod's Workload, or null for a pod without an IP or in a terminal phase.</summary>
    public static Workload? Build(Pod pod, PodContext context)
    {
        if (pod.IsTerminal || pod.Ips.Count == 0)
        {
            return null;
        }
        var meta = pod.Meta;
        var workload = new Workload
        {
            Uid = Names.PodUid(context.Mesh.ClusterId, meta.Namespace, meta.Name),
            Name = meta.Name,
            Namespace = meta.Namespace,
            Network = context.Network,
            ServiceAccount = pod.ServiceAccount,
            TrustDomain = context.Mesh.TrustDomain == DefaultTrustDomain ? string.Empty : context.Mesh.TrustDomain,
            Node = pod.NodeName,
            ClusterId = context.Mesh.ClusterId,
            WorkloadType = WorkloadType.Pod,
            Status = pod.Ready && !meta.Deleting ? WorkloadStatus.Healthy : WorkloadStatus.Unhealthy,
            NetworkMode = pod.HostNetwork ? NetworkMode.HostNetwork : NetworkMode.Standard,
            Locality = context.Locality,
        };
        foreach (var ip in pod.Ips)
        {
            if (IpBytes.TryParse(ip, out var bytes))
            {
                workload.Addresses.Add(bytes);
            }
        }
        if (workload.Addresses.Count == 0)
        {
            return null;
        }
        SetTunnel(workload, meta);
        var workloadName = WorkloadName(pod);
        workload.WorkloadName = workloadName;
        workload.CanonicalName = First(meta, WellKnown.CanonicalNameLabel, WellKnown.AppNameLabel, WellKnown.AppLabel) ?? workloadName;
        workload.CanonicalRevision = First(meta, WellKnown.CanonicalRevisionLabel, WellKnown.AppVersionLabel, WellKnown.VersionLabel) ?? "latest";
        AddServices(workload, pod, context);
        workload.AuthorizationPolicies.AddRange(context.AuthorizationPolicies);
        return workload;
    }

    private static void SetTunnel(Workload workload, ObjectMeta meta)
    {
        if (meta.Labels.Get(WellKnown.TunnelLabel) is { } tunnel &&
            tunnel.Split(',', StringSplitOptions.TrimEntries).Contains("http", StringComparer.Ordinal))
        {
            workload.TunnelProtocol = TunnelProtocol.Hbone;
            workload.NativeTunnel = true;
        }
        else if (meta.Annotations.Get(WellKnown.RedirectionAnnotation) == "enabled")
        {
            workload.TunnelProtocol = TunnelProtocol.Hbone;
        }
    }

    /// <summary>The deployment-ish name: label, else derived from the controller, else the pod name.</summary>
    public static string WorkloadName(Pod pod)
    {
        if (pod.Meta.Labels.Get(WellKnown.WorkloadNameLabel) is { Length: > 0 } explicitName)
        {
            return explicitName;
        }
        if (pod.Controller is not { } controller)
        {
            return pod.Meta.Name;
        }
        if (controller.Kind == "ReplicaSet" &&
            pod.Meta.Labels.Get(WellKnown.PodTemplateHashLabel) is { Length: > 0 } hash &&
            controller.Name.EndsWith("-" + hash, StringComparison.Ordinal))
        {
            return controller.Name[..^(hash.Length + 1)];
        }
        if (controller.Kind == "Job" && CronJobSuffix().Match(controller.Name) is { Success: true } match)
        {
            return controller.Name[..match.Index];
        }
        return controller.Name;
    }

    private static void AddServices(Workload workload, Pod pod, PodContext context)
    {
        foreach (var service in context.Services)
        {
            if (service.Meta.Namespace != pod.Meta.Namespace || service.Type == "ExternalName" ||
                service.Selector is not { Count: > 0 } selector || !selector.IsSubsetOf(pod.Meta.Labels))
            {
                continue;
            }
            var ports = new PortList();
            foreach (var port in service.Ports)
            {
                if (ResolveTargetPort(pod, port) is { } target)
                {
                    ports.Ports.Add(new Port { ServicePort = (uint)port.Port, TargetPort = (uint)target });
                }
            }
            var hostname = Names.ServiceHostname(service.Meta.Name, service.Meta.Namespace, context.Mesh.DomainSuffix);
            workload.Services[Names.ServiceKey(service.Meta.Namespace, hostname)] = ports;
        }
    }

    /// <summary>Numeric targets as stored; named ones through the pod's TCP container ports, else omitted.</summary>
    private static int? ResolveTargetPort(Pod pod, ServicePort port)
    {
        if (port.TargetPortName is null)
        {
            return port.TargetPort == 0 ? port.Port : port.TargetPort;
        }
        foreach (var container in pod.ContainerPorts)
        {
            if (container.Name == port.TargetPortName && container.Protocol == "TCP")
            {
                return container.Port;
            }
        }
        return null;
    }

    private static string? First(ObjectMeta meta, params string[] labels)
    {
        foreach (var label in labels)
        {
            if (meta.Labels.Get(label) is { Length: > 0 } value)
            {
                return value;
            }
        }
        return null;
    }

    [GeneratedRegex(@"-\d{8,10}$")]
    private static partial Regex CronJobSuffix();
}
