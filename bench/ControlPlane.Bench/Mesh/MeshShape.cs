namespace ControlPlane.Bench.Mesh;

/// <summary>
/// Size and layout of a generated mesh: namespaces of services, each service backed by one Deployment
/// whose pods it selects, pods spread over nodes. <see cref="ChurnEvery"/>: every n-th pod and service
/// lives in a file of its own, so the churn generator can rewrite it cheaply (0 = none); so does the ALLOW
/// policy of every n-th namespace.
/// </summary>
public sealed record MeshShape(int Namespaces, int ServicesPerNamespace, int PodsPerService, int PodsPerNode = 100, int ChurnEvery = 0)
{
    public int Services => Namespaces * ServicesPerNamespace;

    public int Pods => Services * PodsPerService;

    public int Nodes => Math.Max(1, (Pods + PodsPerNode - 1) / PodsPerNode);

    /// <summary>Address resources the mesh builds: one Workload per pod, one Service per service.</summary>
    public int AddressResources => Pods + Services;

    /// <summary>Authorization resources: each namespace's ALLOW and DENY policies.</summary>
    public int AuthorizationResources => Namespaces * 2;

    /// <summary>
    /// About <paramref name="pods"/> pods as 100 per namespace, 20 services per namespace and 5 pods per
    /// service: 100,000 pods make the 100k pods / 20k services / 1k namespaces of the index target.
    /// </summary>
    public static MeshShape ForPods(int pods, int churnEvery = 0) =>
        new(Math.Max(1, (pods + 99) / 100), 20, 5, ChurnEvery: churnEvery);

    /// <summary>Whether a pod or service of this global index lives in its own (churnable) file.</summary>
    public bool IsChurnable(int index) => ChurnEvery > 0 && index % ChurnEvery == 0;

    public override string ToString() => $"{Pods} pods / {Services} services / {Namespaces} namespaces / {Nodes} nodes";
}
