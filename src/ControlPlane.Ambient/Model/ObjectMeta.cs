using ControlPlane.Ambient.Collections;

namespace ControlPlane.Ambient.Model;

/// <summary>The metadata every object carries, plus the cluster it came from.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record ObjectMeta
{
    public required string Cluster { get; init; }

    /// <summary>Empty for cluster-scoped objects (Namespace, Node).</summary>
    public required string Namespace { get; init; }

    public required string Name { get; init; }

    /// <summary><c>metadata.generateName</c>: set for pods a controller created.</summary>
    public string GenerateName { get; init; } = string.Empty;

    public StringMap Labels { get; init; }

    public StringMap Annotations { get; init; }

    public DateTimeOffset CreationTimestamp { get; init; }

    /// <summary>True once a deletionTimestamp is set.</summary>
    public bool Deleting { get; init; }

    /// <summary><c>metadata.uid</c>; empty when the source has none (hand-written manifests).</summary>
    public string Uid { get; init; } = string.Empty;
}
