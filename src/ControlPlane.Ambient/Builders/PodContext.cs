using ControlPlane.Ambient.Model;
using Istio.Workload;

namespace ControlPlane.Ambient.Builders;

/// <summary>Everything besides the pod that its Workload depends on.</summary>
public sealed record PodContext
{
    public required MeshSettings Mesh { get; init; }

    /// <summary>The cluster's network (system namespace label), "" when unset.</summary>
    public string Network { get; init; } = string.Empty;

    /// <summary>Locality of the pod's node, if known.</summary>
    public Locality? Locality { get; init; }

    /// <summary>Services of the pod's namespace (those whose selector matches become <c>services</c>).</summary>
    public IReadOnlyList<KubeService> Services { get; init; } = [];

    /// <summary>Selector-scoped policy keys that apply to the pod, already sorted.</summary>
    public IReadOnlyList<string> AuthorizationPolicies { get; init; } = [];
}
