using ControlPlane.Ambient.Collections;

namespace ControlPlane.Ambient.Model;

/// <summary>What the ambient builders need of a Kubernetes Service.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record KubeService : IMeshObject
{
    public required ObjectMeta Meta { get; init; }

    public string Kind => Kinds.Service;

    /// <summary>ClusterIP, NodePort, LoadBalancer or ExternalName.</summary>
    public string Type { get; init; } = "ClusterIP";

    /// <summary>Null for a selectorless Service (endpoints come from EndpointSlices).</summary>
    public StringMap? Selector { get; init; }

    /// <summary><c>spec.clusterIPs</c> (falling back to <c>spec.clusterIP</c>); may hold "None".</summary>
    public ValueList<string> ClusterIps { get; init; }

    public ValueList<ServicePort> Ports { get; init; }

    /// <summary><c>spec.ipFamilies</c>: IPv4, IPv6.</summary>
    public ValueList<string> IpFamilies { get; init; }

    public string? InternalTrafficPolicy { get; init; }

    public string? TrafficDistribution { get; init; }

    public bool PublishNotReadyAddresses { get; init; }
}
