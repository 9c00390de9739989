namespace ControlPlane.Bench;

/// <summary>How a run is sized: <see cref="Quick"/> runs reduced sizes (for <c>make bench</c>).</summary>
public sealed record BenchSettings(bool Quick)
{
    /// <summary>Picks the quick or the full value of a size.</summary>
    public int Size(int quick, int full) => Quick ? quick : full;
}
