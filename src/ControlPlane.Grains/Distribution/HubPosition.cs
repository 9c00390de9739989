namespace ControlPlane.Grains.Distribution;

/// <summary>Where the distribution grain stands: its activation and the number of its latest publish.</summary>
[GenerateSerializer]
public sealed record HubPosition([property: Id(0)] Guid Epoch, [property: Id(1)] long Sequence);
