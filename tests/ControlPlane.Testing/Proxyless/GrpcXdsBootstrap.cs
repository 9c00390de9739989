using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ControlPlane.Testing.Proxyless;

/// <summary>
/// The bootstrap of a proxyless gRPC client (the file <c>GRPC_XDS_BOOTSTRAP</c> names): one plaintext
/// xDS server speaking v3, and a node shaped as Istio's proxyless clients send it (an istiod-style
/// <c>sidecar~ip~pod.namespace~namespace.svc.cluster.local</c> id, metadata <c>GENERATOR=grpc</c>, and a
/// locality, without which grpc-js-xds fails).
/// </summary>
public sealed record GrpcXdsBootstrap
{
    public required Uri XdsServer { get; init; }

    public required string NodeId { get; init; }

    public required string NodeCluster { get; init; }

    public required string Region { get; init; }

    public required string Zone { get; init; }

    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    /// <summary>A client in pod <paramref name="pod"/> of <paramref name="namespace"/>.</summary>
    public static GrpcXdsBootstrap ForPod(Uri xdsServer, string pod, string @namespace, IPAddress ip, string region = "region-1", string zone = "zone-1")
    {
        ArgumentNullException.ThrowIfNull(xdsServer);
        ArgumentException.ThrowIfNullOrEmpty(pod);
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentNullException.ThrowIfNull(ip);
        return new GrpcXdsBootstrap
        {
            XdsServer = xdsServer,
            NodeId = $"sidecar~{ip}~{pod}.{@namespace}~{@namespace}.svc.cluster.local",
            NodeCluster = $"{pod}.{@namespace}",
            Region = region,
            Zone = zone,
            Metadata = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["GENERATOR"] = "grpc",
                ["NAMESPACE"] = @namespace,
                ["NAME"] = pod,
                ["INSTANCE_IPS"] = ip.ToString(),
            },
        };
    }

    public string ToJson()
    {
        var metadata = new JsonObject();
        foreach (var (key, value) in Metadata)
        {
            metadata[key] = value;
        }
        var root = new JsonObject
        {
            ["xds_servers"] = new JsonArray
            {
                new JsonObject
                {
                    // A gRPC target, not a URL.
                    ["server_uri"] = $"{XdsServer.Host}:{XdsServer.Port}",
                    ["channel_creds"] = new JsonArray { new JsonObject { ["type"] = "insecure" } },
                    ["server_features"] = new JsonArray { "xds_v3" },
                },
            },
            ["node"] = new JsonObject
            {
                ["id"] = NodeId,
                ["cluster"] = NodeCluster,
                ["locality"] = new JsonObject { ["region"] = Region, ["zone"] = Zone },
                ["metadata"] = metadata,
            },
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
