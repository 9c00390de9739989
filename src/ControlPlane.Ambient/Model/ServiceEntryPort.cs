namespace ControlPlane.Ambient.Model;

/// <summary>A port of a ServiceEntry; <see cref="TargetPort"/> 0 = same as <see cref="Number"/>.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record ServiceEntryPort(uint Number, string Protocol, string Name, uint TargetPort);
