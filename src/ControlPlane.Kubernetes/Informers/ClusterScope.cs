namespace ControlPlane.Kubernetes.Informers;

/// <summary>Which clusters a resource is watched in.</summary>
public enum ClusterScope
{
    /// <summary>Only the local (config) cluster: Istio config, Gateway API routes, remote-cluster Secrets.</summary>
    Local,

    /// <summary>The local cluster and every remote cluster (service registry inputs, east-west gateways).</summary>
    All,
}
