namespace ControlPlane.Grains.Distribution;

/// <summary>
/// What the distribution grain sends a silo's hub: the changes of one publish (or, as a snapshot, every
/// table in full), numbered so the hub applies them in order whatever order they arrive in.
/// </summary>
/// <param name="Epoch">Identifies the distribution grain's activation; sequences restart with a new one.</param>
/// <param name="Sequence">Publishes are numbered 1, 2, …; a snapshot carries the number it includes up to.</param>
/// <param name="Batches">The changed tables, or for a snapshot every table with all its resources.</param>
/// <param name="IsSnapshot">The batches are the complete state: names absent from a table were removed.</param>
[GenerateSerializer]
public sealed record HubUpdate(
    [property: Id(0)] Guid Epoch,
    [property: Id(1)] long Sequence,
    [property: Id(2)] IReadOnlyList<ResourceBatch> Batches,
    [property: Id(3)] bool IsSnapshot);
