using ControlPlane.Xds;
using ControlPlane.Xds.Resources;
using Google.Protobuf;
using Istio.Workload;

namespace ControlPlane.Bench.Load;

/// <summary>Address resources shaped like istiod's pod workloads (about 300 bytes each), for hub-level scenarios.</summary>
public static class SyntheticWorkloads
{
    public static XdsResource Create(int index, int revision = 0)
    {
        var ns = $"ns-{index % 100}";
        var name = $"app-{index / 10}-{index:x6}";
        var workload = new Workload
        {
            Uid = $"Kubernetes//Pod/{ns}/{name}",
            Name = name,
            Namespace = ns,
            Addresses = { ByteString.CopyFrom([10, (byte)(index >> 16), (byte)(index >> 8), (byte)index]) },
            Network = "network-1",
            TunnelProtocol = TunnelProtocol.Hbone,
            ServiceAccount = $"sa-{index / 10}",
            Node = $"node-{index % 50}",
            CanonicalName = $"app-{index / 10}",
            CanonicalRevision = $"v{revision}",
            WorkloadType = WorkloadType.Pod,
            WorkloadName = $"app-{index / 10}",
            ClusterId = "Kubernetes",
            Status = WorkloadStatus.Healthy,
            Locality = new Locality { Region = "region-1", Zone = $"zone-{index % 3}" },
        };
        workload.Services[$"{ns}/svc-{index / 10}.{ns}.svc.cluster.local"] = new PortList
        {
            Ports = { new Port { ServicePort = 80, TargetPort = 8080 }, new Port { ServicePort = 443, TargetPort = 8443 } },
        };
        return XdsResource.Create(TypeUrls.Address, workload.Uid, new Address { Workload = workload });
    }
}
