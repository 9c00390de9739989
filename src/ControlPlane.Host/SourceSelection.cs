namespace ControlPlane.Host;

/// <summary>The source chosen at start (shown by <c>/debug/clusters</c>).</summary>
public sealed record SourceSelection(SourceMode Mode);
