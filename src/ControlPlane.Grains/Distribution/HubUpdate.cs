namespace ControlPlane.Grains.Distribution;

/// <summary>
/// What the distribution grain sends a silo's hub: the changes of one publish (or, as a snapshot, the
/// complete set of every origin it knows), numbered so the hub applies them in order whatever order they
/// arrive in.
/// </summary>
/// <param name="Epoch">Identifies the distribution grain's activation; sequences restart with a new one.</param>
/// <param name="Sequence">Updates are numbered 1, 2, …; a snapshot carries the number it includes up to.</param>
/// <param name="Origins">Per origin, a change or (<see cref="OriginUpdate.Complete"/>) its complete set.</param>
/// <param name="IsSnapshot">Restarts the numbering at <paramref name="Sequence"/>. Origins absent from a snapshot are not removed: a distribution grain that was reactivated may not know them yet.</param>
/// <remarks>
/// Immutable: never changed once made, so a call within a silo passes it (and the body arrays in it)
/// without Orleans copying it; the hub and the distribution grain then hold the same bodies.
/// </remarks>
[Immutable]
[GenerateSerializer]
public sealed record HubUpdate(
    [property: Id(0)] Guid Epoch,
    [property: Id(1)] long Sequence,
    [property: Id(2)] IReadOnlyList<OriginUpdate> Origins,
    [property: Id(3)] bool IsSnapshot);
