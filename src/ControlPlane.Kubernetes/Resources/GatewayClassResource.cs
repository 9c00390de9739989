using k8s.Models;

namespace ControlPlane.Kubernetes.Resources;

/// <summary>gateway.networking.k8s.io GatewayClass as stored.</summary>
public sealed class GatewayClassResource
{
    public V1ObjectMeta? Metadata { get; set; }

    public SpecData? Spec { get; set; }

    public sealed class SpecData
    {
        public string? ControllerName { get; set; }
    }
}
