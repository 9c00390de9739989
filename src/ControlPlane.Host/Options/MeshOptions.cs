using System.ComponentModel.DataAnnotations;

namespace ControlPlane.Host.Options;

/// <summary>Identity of this control plane within the mesh (section "Mesh"); istiod's defaults.</summary>
public sealed class MeshOptions
{
    public const string Section = "Mesh";

    /// <summary>Id of the local cluster (istiod <c>CLUSTER_ID</c>).</summary>
    [Required]
    public string ClusterId { get; set; } = "Kubernetes";

    /// <summary>DNS suffix of Service hostnames.</summary>
    [Required]
    public string DomainSuffix { get; set; } = "cluster.local";

    /// <summary>SPIFFE trust domain of workload identities.</summary>
    [Required]
    public string TrustDomain { get; set; } = "cluster.local";

    /// <summary>Namespace the control plane runs in; also the root namespace of mesh-wide policy.</summary>
    [Required]
    public string SystemNamespace { get; set; } = "istio-system";

    public ControlPlane.Ambient.Model.MeshSettings ToSettings() => new()
    {
        ClusterId = ClusterId,
        DomainSuffix = DomainSuffix,
        TrustDomain = TrustDomain,
        RootNamespace = SystemNamespace,
    };
}
