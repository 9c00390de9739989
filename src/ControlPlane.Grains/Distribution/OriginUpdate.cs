namespace ControlPlane.Grains.Distribution;

/// <summary>
/// Resources of one origin (the grain that publishes them): a change, or its complete set.
/// </summary>
/// <param name="Origin">The publishing grain; it owns the names it publishes.</param>
/// <param name="Epoch">Identifies the origin's activation; a new activation starts a new epoch.</param>
/// <param name="Sequence">The origin's publishes are numbered 1, 2, … within an epoch; a complete set carries the number it includes up to.</param>
/// <param name="Complete">The batches hold every resource of the origin: names of it that are absent were removed.</param>
/// <param name="Batches">Changes per table (updated and removed), or for a complete set every table with all its resources.</param>
/// <remarks>
/// Immutable: never changed once made, so a call within a silo passes it (and the body arrays in it)
/// without Orleans copying it; the hub and the distribution grain then hold the same bodies.
/// </remarks>
[Immutable]
[GenerateSerializer]
public sealed record OriginUpdate(
    [property: Id(0)] GrainId Origin,
    [property: Id(1)] Guid Epoch,
    [property: Id(2)] long Sequence,
    [property: Id(3)] bool Complete,
    [property: Id(4)] IReadOnlyList<ResourceBatch> Batches);
