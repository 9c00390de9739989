using System.Diagnostics.CodeAnalysis;
using System.Net;
using Envoy.Config.Core.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.Xds.Proxy;

/// <summary>
/// A proxy's identity as parsed from its node: id <c>type~ip~pod.namespace~namespace.svc.domain</c>
/// (the format istiod requires) and the metadata Struct.
/// </summary>
public sealed record ProxyNode
{
    public required string Id { get; init; }

    public required ProxyKind Kind { get; init; }

    /// <summary>IPs from the id, and from metadata <c>INSTANCE_IPS</c> when present.</summary>
    public required IReadOnlyList<IPAddress> IpAddresses { get; init; }

    /// <summary>Pod name (the proxy id part before the last dot).</summary>
    public required string PodName { get; init; }

    /// <summary>Namespace claimed by the proxy (metadata <c>NAMESPACE</c>, else from the id).</summary>
    public required string Namespace { get; init; }

    /// <summary>DNS domain part of the id, e.g. <c>default.svc.cluster.local</c>.</summary>
    public required string DnsDomain { get; init; }

    /// <summary>String-valued metadata (non-string values as their JSON text).</summary>
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    /// <summary><c>CLUSTER_ID</c> metadata, empty when absent.</summary>
    public string ClusterId => Metadata.GetValueOrDefault("CLUSTER_ID", string.Empty);

    /// <summary><c>NODE_NAME</c> metadata: the Kubernetes node the proxy runs on.</summary>
    public string NodeName => Metadata.GetValueOrDefault("NODE_NAME", string.Empty);

    /// <summary><c>ISTIO_VERSION</c> metadata, empty when absent.</summary>
    public string IstioVersion => Metadata.GetValueOrDefault("ISTIO_VERSION", string.Empty);

    /// <summary>Parses a node; returns false with a reason a client can act on.</summary>
    public static bool TryParse(Node? node, [NotNullWhen(true)] out ProxyNode? proxy, [NotNullWhen(false)] out string? error)
    {
        proxy = null;
        if (node is null)
        {
            error = "the first request on a stream must carry a node";
            return false;
        }
        var parts = node.Id.Split('~');
        if (parts.Length != 4)
        {
            error = $"node id '{Truncate(node.Id)}' must have 4 parts: type~ip~pod.namespace~namespace.svc.domain";
            return false;
        }
        var metadata = Flatten(node.Metadata);
        ProxyKind kind;
        switch (parts[0])
        {
            case "ztunnel":
                kind = ProxyKind.Ztunnel;
                break;
            case "waypoint":
                kind = ProxyKind.Waypoint;
                break;
            case "router":
                kind = ProxyKind.Router;
                break;
            case "sidecar":
                kind = metadata.GetValueOrDefault("GENERATOR") == "grpc" ? ProxyKind.ProxylessGrpc : ProxyKind.Sidecar;
                break;
            default:
                error = $"node id '{Truncate(node.Id)}' has unknown proxy type '{Truncate(parts[0])}'";
                return false;
        }
        var ips = new List<IPAddress>();
        var ipText = metadata.TryGetValue("INSTANCE_IPS", out var listed) && listed.Length > 0 ? listed : parts[1];
        foreach (var candidate in ipText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IPAddress.TryParse(candidate, out var ip))
            {
                error = $"node id '{Truncate(node.Id)}' has an invalid IP '{Truncate(candidate)}'";
                return false;
            }
            ips.Add(ip);
        }
        var proxyId = parts[2];
        var dot = proxyId.LastIndexOf('.');
        if (dot <= 0 || dot == proxyId.Length - 1)
        {
            error = $"node id '{Truncate(node.Id)}' must name the proxy as pod.namespace";
            return false;
        }
        proxy = new ProxyNode
        {
            Id = node.Id,
            Kind = kind,
            IpAddresses = ips,
            PodName = proxyId[..dot],
            Namespace = metadata.TryGetValue("NAMESPACE", out var ns) && ns.Length > 0 ? ns : proxyId[(dot + 1)..],
            DnsDomain = parts[3],
            Metadata = metadata,
        };
        error = null;
        return true;
    }

    private static Dictionary<string, string> Flatten(Struct? metadata)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is null)
        {
            return result;
        }
        foreach (var (key, value) in metadata.Fields)
        {
            result[key] = value.KindCase == Value.KindOneofCase.StringValue ? value.StringValue : value.ToString();
        }
        return result;
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
