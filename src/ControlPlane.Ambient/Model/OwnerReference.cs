namespace ControlPlane.Ambient.Model;

/// <summary>The controller owner of an object (the owner reference with controller=true).</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record OwnerReference(string Kind, string Name);
