namespace ControlPlane.Ambient.Model;

/// <summary>A port of an EndpointSlice: the Service port's name and the endpoints' (target) port.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record EndpointSlicePort(string? Name, int? Port, string Protocol);
