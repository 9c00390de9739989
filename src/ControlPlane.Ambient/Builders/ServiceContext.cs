using ControlPlane.Ambient.Model;

namespace ControlPlane.Ambient.Builders;

/// <summary>Everything besides the Service that its ambient Service resource depends on.</summary>
public sealed record ServiceContext
{
    public required MeshSettings Mesh { get; init; }

    /// <summary>The cluster's network, "" when unset.</summary>
    public string Network { get; init; } = string.Empty;

    /// <summary>The Service's namespace (for namespace-level annotations), if known.</summary>
    public KubeNamespace? Namespace { get; init; }
}
