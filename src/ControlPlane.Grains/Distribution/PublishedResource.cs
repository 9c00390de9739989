namespace ControlPlane.Grains.Distribution;

/// <summary>An encoded resource as it travels between silos.</summary>
[GenerateSerializer]
public sealed record PublishedResource([property: Id(0)] string Name, [property: Id(1)] byte[] Body);
