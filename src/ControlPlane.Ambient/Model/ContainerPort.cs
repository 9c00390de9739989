namespace ControlPlane.Ambient.Model;

/// <summary>A named container port (containers and always-restarting init containers).</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record ContainerPort(string Name, int Port, string Protocol);
