using ControlPlane.Xds.Resources;

namespace ControlPlane.Xds.Hub;

/// <summary>The names of one table that changed (updated or removed) in a committed push batch.</summary>
public sealed record TableChange(TableKey Key, IReadOnlyCollection<string> Names);
