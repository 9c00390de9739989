using k8s.Models;

namespace ControlPlane.Kubernetes.Resources;

/// <summary>gateway.networking.k8s.io Gateway as stored (v1; v1beta1 has the same fields we read).</summary>
public sealed class GatewayResource
{
    public V1ObjectMeta? Metadata { get; set; }

    public SpecData? Spec { get; set; }

    public StatusData? Status { get; set; }

    public sealed class SpecData
    {
        public string? GatewayClassName { get; set; }

        public List<ListenerData>? Listeners { get; set; }
    }

    public sealed class ListenerData
    {
        public string? Name { get; set; }

        public int Port { get; set; }

        public string? Protocol { get; set; }

        public AllowedRoutesData? AllowedRoutes { get; set; }
    }

    public sealed class AllowedRoutesData
    {
        public RouteNamespacesData? Namespaces { get; set; }
    }

    public sealed class RouteNamespacesData
    {
        public string? From { get; set; }

        public V1LabelSelector? Selector { get; set; }
    }

    public sealed class StatusData
    {
        public List<AddressData>? Addresses { get; set; }
    }

    public sealed class AddressData
    {
        public string? Type { get; set; }

        public string? Value { get; set; }
    }
}
