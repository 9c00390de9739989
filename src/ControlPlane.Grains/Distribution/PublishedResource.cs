namespace ControlPlane.Grains.Distribution;

/// <summary>An encoded resource as it travels between silos.</summary>
/// <remarks>
/// Immutable: never changed once made, so a call within a silo passes it (and the body arrays in it)
/// without Orleans copying it; the hub and the distribution grain then hold the same bodies.
/// </remarks>
[Immutable]
[GenerateSerializer]
public sealed record PublishedResource([property: Id(0)] string Name, [property: Id(1)] byte[] Body);
