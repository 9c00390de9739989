using ControlPlane.Ambient.Model;

namespace ControlPlane.Ambient.Builders;

/// <summary>One namespace's objects from every cluster (namespace sameness), as a namespace grain holds them.</summary>
public sealed record NamespaceInputs
{
    public required string Name { get; init; }

    public KubeNamespace? Namespace { get; init; }

    public IReadOnlyList<Pod> Pods { get; init; } = [];

    public IReadOnlyList<KubeService> Services { get; init; } = [];
}
