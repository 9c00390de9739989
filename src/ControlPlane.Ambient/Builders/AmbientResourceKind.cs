namespace ControlPlane.Ambient.Builders;

/// <summary>Which xDS type a built resource is served as.</summary>
public enum AmbientResourceKind
{
    /// <summary><c>type.googleapis.com/istio.workload.Address</c> (workloads and services).</summary>
    Address,

    /// <summary><c>type.googleapis.com/istio.security.Authorization</c>.</summary>
    Authorization,
}
