using ControlPlane.Ambient.Model;
using Istio.Workload;

namespace ControlPlane.Ambient.Builders;

/// <summary>WorkloadEntry → Workload (spec §3.5): a VM or other non-pod workload.</summary>
public static class WorkloadEntryBuilder
{
    public static Workload Build(WorkloadEntry entry, NamespaceView view)
    {
        var meta = entry.Meta;
        var spec = entry.Spec;
        var labels = spec.Labels;
        var mesh = view.Settings;
        var workload = new Workload
        {
            Uid = Names.WorkloadEntryUid(meta.Cluster, meta.Namespace, meta.Name),
            Name = meta.Name,
            Namespace = meta.Namespace,
            Network = spec.Network.Length > 0 ? spec.Network : view.Mesh.Network,
            ClusterId = meta.Cluster,
            ServiceAccount = spec.ServiceAccount,
            Status = WorkloadStatus.Healthy,
            TrustDomain = WorkloadFields.TrustDomain(mesh),
            Locality = WorkloadFields.ParseLocality(spec.Locality),
            WorkloadType = WorkloadType.Pod,
            WorkloadName = meta.Annotations.Get(WellKnown.AutoRegistrationGroupAnnotation)
                ?? labels.Get(WellKnown.WorkloadNameLabel)
                ?? meta.Name,
        };
        if (spec.Weight > 0)
        {
            workload.Capacity = spec.Weight;
        }
        if (IpBytes.TryParse(spec.Address, out var bytes))
        {
            workload.Addresses.Add(bytes);
        }
        else
        {
            workload.Hostname = spec.Address;
        }
        foreach (var service in view.ServicesSelecting(labels))
        {
            workload.Services[service.Key] = WorkloadFields.EndpointPorts(spec, service);
        }
        workload.AuthorizationPolicies.AddRange(view.PolicyKeysFor(labels));
        if (WaypointResolver.InstanceOf(labels, view) is { } instanceOf)
        {
            workload.ApplicationTunnel = instanceOf.Binding?.ToApplicationTunnel();
        }
        else if (WaypointResolver.ForWorkload(labels, view) is { } waypoint)
        {
            workload.Waypoint = waypoint.ToGatewayAddress(view.Mesh.Network);
        }
        WorkloadFields.SetCanonical(workload, labels);
        WorkloadFields.SetTunnel(workload, labels, meta.Annotations);
        return workload;
    }
}
