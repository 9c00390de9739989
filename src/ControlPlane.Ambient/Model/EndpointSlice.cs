using ControlPlane.Ambient.Collections;

namespace ControlPlane.Ambient.Model;

/// <summary>What the ambient builders need of a discovery.k8s.io EndpointSlice.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record EndpointSlice : IMeshObject
{
    public required ObjectMeta Meta { get; init; }

    public string Kind => Kinds.EndpointSlice;

    /// <summary>IPv4, IPv6 or FQDN.</summary>
    public string AddressType { get; init; } = "IPv4";

    public ValueList<EndpointSlicePort> Ports { get; init; }

    public ValueList<SliceEndpoint> Endpoints { get; init; }

    /// <summary>The Service the slice belongs to (label <c>kubernetes.io/service-name</c>); null if none.</summary>
    public string? ServiceName => Meta.Labels.Get(WellKnown.ServiceNameLabel);
}
