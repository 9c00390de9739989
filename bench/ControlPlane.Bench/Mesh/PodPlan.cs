namespace ControlPlane.Bench.Mesh;

/// <summary>One generated pod of a service's Deployment.</summary>
public sealed record PodPlan(int Index, ServicePlan Service, string Name, string Ip, string Node)
{
    public string Namespace => Service.Namespace;

    /// <summary>The Address resource name istiod gives the pod's Workload (cluster Kubernetes).</summary>
    public string ResourceName(string cluster = "Kubernetes") => $"{cluster}//Pod/{Namespace}/{Name}";
}
