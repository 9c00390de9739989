namespace ControlPlane.Ambient.Model;

/// <summary>An address in a Gateway's status: <see cref="Type"/> IPAddress (the API default) or Hostname.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record GatewayStatusAddress(string Type, string Value);
