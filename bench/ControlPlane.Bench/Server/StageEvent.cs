namespace ControlPlane.Bench.Server;

/// <summary>
/// A marked change passing one stage inside the server: <see cref="Stages"/>. <see cref="Marker"/> is the
/// change's sequence number, -1 for a deletion.
/// </summary>
public sealed record StageEvent(string Name, long Marker, string Stage, long At);
