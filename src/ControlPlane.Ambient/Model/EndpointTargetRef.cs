namespace ControlPlane.Ambient.Model;

/// <summary>The object behind an EndpointSlice endpoint (usually a Pod).</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record EndpointTargetRef(string Kind, string Namespace, string Name, string Uid);
