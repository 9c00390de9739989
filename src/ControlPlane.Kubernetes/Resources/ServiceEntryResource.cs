using k8s.Models;

namespace ControlPlane.Kubernetes.Resources;

/// <summary>networking.istio.io ServiceEntry as stored (v1, v1beta1 and v1alpha3 share the schema).</summary>
public sealed class ServiceEntryResource
{
    public V1ObjectMeta? Metadata { get; set; }

    public SpecData? Spec { get; set; }

    public StatusData? Status { get; set; }

    public sealed class SpecData
    {
        public List<string>? Hosts { get; set; }

        public List<string>? Addresses { get; set; }

        public List<PortData>? Ports { get; set; }

        public string? Location { get; set; }

        public string? Resolution { get; set; }

        public List<WorkloadEntryResource.SpecData>? Endpoints { get; set; }

        public SelectorData? WorkloadSelector { get; set; }

        public List<string>? SubjectAltNames { get; set; }
    }

    public sealed class PortData
    {
        public uint Number { get; set; }

        public string? Protocol { get; set; }

        public string? Name { get; set; }

        public uint? TargetPort { get; set; }
    }

    public sealed class SelectorData
    {
        public Dictionary<string, string>? Labels { get; set; }
    }

    public sealed class StatusData
    {
        public List<AddressData>? Addresses { get; set; }
    }

    /// <summary>An auto-allocated address: <c>{host, value}</c>.</summary>
    public sealed class AddressData
    {
        public string? Host { get; set; }

        public string? Value { get; set; }
    }
}
