namespace ControlPlane.Grains.Distribution;

/// <summary>Changes to one resource table, as grains publish them to every silo.</summary>
/// <remarks>
/// Immutable: never changed once made, so a call within a silo passes it (and the body arrays in it)
/// without Orleans copying it; the hub and the distribution grain then hold the same bodies.
/// </remarks>
[Immutable]
[GenerateSerializer]
public sealed record ResourceBatch(
    [property: Id(0)] string TypeUrl,
    [property: Id(1)] string Scope,
    [property: Id(2)] IReadOnlyList<PublishedResource> Updated,
    [property: Id(3)] IReadOnlyList<string> Removed);
