namespace ControlPlane.Ambient.Model;

/// <summary>A port by name, as WorkloadEntry and ServiceEntry endpoints declare them (<c>ports: {name: number}</c>).</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record NamedPort(string Name, uint Port);
