using k8s.Models;

namespace ControlPlane.Kubernetes.Resources;

/// <summary>security.istio.io PeerAuthentication as stored (v1 and v1beta1 share the schema).</summary>
public sealed class PeerAuthenticationResource
{
    public V1ObjectMeta? Metadata { get; set; }

    public SpecData? Spec { get; set; }

    public sealed class SpecData
    {
        public AuthorizationPolicyResource.WorkloadSelectorData? Selector { get; set; }

        public MtlsData? Mtls { get; set; }

        /// <summary>Port (as text, since YAML and JSON keys are strings) → mode.</summary>
        public Dictionary<string, MtlsData>? PortLevelMtls { get; set; }
    }

    public sealed class MtlsData
    {
        public string? Mode { get; set; }
    }
}
