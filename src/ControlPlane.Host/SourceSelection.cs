namespace ControlPlane.Host;

/// <summary>The source chosen at start (shown by <c>/debug/config</c>).</summary>
public sealed record SourceSelection(SourceMode Mode);
