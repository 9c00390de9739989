using ControlPlane.Ambient.Collections;

namespace ControlPlane.Ambient.Model;

/// <summary>One endpoint of an EndpointSlice; <see cref="Ready"/> null means ready (Kubernetes' rule).</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record SliceEndpoint(ValueList<string> Addresses, bool? Ready, EndpointTargetRef? TargetRef);
