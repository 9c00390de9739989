namespace ControlPlane.Grains.Distribution;

/// <summary>Changes to one resource table, as grains publish them to every silo.</summary>
[GenerateSerializer]
public sealed record ResourceBatch(
    [property: Id(0)] string TypeUrl,
    [property: Id(1)] string Scope,
    [property: Id(2)] IReadOnlyList<PublishedResource> Updated,
    [property: Id(3)] IReadOnlyList<string> Removed);
