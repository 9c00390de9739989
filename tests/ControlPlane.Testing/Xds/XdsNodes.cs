using Envoy.Config.Core.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.Testing.Xds;

/// <summary>Nodes as real clients send them (spec §1.3 for ztunnel, §6 for waypoints, §9 for gRPC).</summary>
public static class XdsNodes
{
    /// <summary>
    /// ztunnel's node: id <c>ztunnel~IP~pod.ns~ns.svc.cluster.local</c> and the metadata its chart sets
    /// (NAME, NAMESPACE, INSTANCE_IPS, NODE_NAME, CLUSTER_ID and, when given, ISTIO_VERSION).
    /// </summary>
    public static Node Ztunnel(
        string nodeName = "node-a",
        string ip = "10.0.0.9",
        string podName = "ztunnel-7xk2p",
        string ns = "istio-system",
        string clusterId = "Kubernetes",
        string? istioVersion = null)
    {
        var metadata = new Struct();
        metadata.Fields["NAME"] = Value.ForString(podName);
        metadata.Fields["NAMESPACE"] = Value.ForString(ns);
        metadata.Fields["INSTANCE_IPS"] = Value.ForString(ip);
        metadata.Fields["NODE_NAME"] = Value.ForString(nodeName);
        metadata.Fields["CLUSTER_ID"] = Value.ForString(clusterId);
        if (istioVersion is not null)
        {
            metadata.Fields["ISTIO_VERSION"] = Value.ForString(istioVersion);
        }
        return new Node { Id = $"ztunnel~{ip}~{podName}.{ns}~{ns}.svc.cluster.local", Metadata = metadata };
    }

    /// <summary>A waypoint Envoy's node (pilot-agent <c>proxy waypoint</c>).</summary>
    public static Node Waypoint(string podName, string ns, string ip, string clusterId = "Kubernetes")
    {
        var metadata = new Struct();
        metadata.Fields["NAME"] = Value.ForString(podName);
        metadata.Fields["NAMESPACE"] = Value.ForString(ns);
        metadata.Fields["INSTANCE_IPS"] = Value.ForString(ip);
        metadata.Fields["CLUSTER_ID"] = Value.ForString(clusterId);
        return new Node { Id = $"waypoint~{ip}~{podName}.{ns}~{ns}.svc.cluster.local", Metadata = metadata };
    }

    /// <summary>A proxyless gRPC client's node (a sidecar id with <c>GENERATOR=grpc</c>, and a locality).</summary>
    public static Node ProxylessGrpc(string podName = "client-0", string ns = "default", string ip = "10.0.0.20")
    {
        var metadata = new Struct();
        metadata.Fields["GENERATOR"] = Value.ForString("grpc");
        metadata.Fields["NAMESPACE"] = Value.ForString(ns);
        return new Node
        {
            Id = $"sidecar~{ip}~{podName}.{ns}~{ns}.svc.cluster.local",
            Metadata = metadata,
            Locality = new Locality(),
        };
    }
}
