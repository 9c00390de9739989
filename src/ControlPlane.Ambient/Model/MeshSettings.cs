namespace ControlPlane.Ambient.Model;

/// <summary>Mesh-wide settings the builders depend on (istiod's defaults).</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record MeshSettings
{
    public string ClusterId { get; init; } = "Kubernetes";

    public string DomainSuffix { get; init; } = "cluster.local";

    public string TrustDomain { get; init; } = "cluster.local";

    /// <summary>The system namespace; also the root namespace for mesh-wide policy.</summary>
    public string RootNamespace { get; init; } = "istio-system";
}
