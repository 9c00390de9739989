using k8s.Models;

namespace ControlPlane.Kubernetes.Resources;

/// <summary>networking.istio.io WorkloadEntry as stored (v1, v1beta1 and v1alpha3 share the schema).</summary>
public sealed class WorkloadEntryResource
{
    public V1ObjectMeta? Metadata { get; set; }

    public SpecData? Spec { get; set; }

    /// <summary><c>spec</c>; also the shape of a ServiceEntry's <c>endpoints[]</c>.</summary>
    public sealed class SpecData
    {
        public string? Address { get; set; }

        public Dictionary<string, uint>? Ports { get; set; }

        public Dictionary<string, string>? Labels { get; set; }

        public string? Network { get; set; }

        public string? Locality { get; set; }

        public uint? Weight { get; set; }

        public string? ServiceAccount { get; set; }
    }
}
