namespace ControlPlane.Kubernetes.Informers;

/// <summary>
/// The informer set: every resource the control plane watches, in one table. Each becomes one informer
/// per cluster in its <see cref="KubeResource.Scope"/>; kinds the converter does not know yet are watched
/// but yield no objects. deploy/ grants exactly these list/watch permissions (kept in sync by a test).
/// </summary>
public static class KubeResources
{
    public const string MultiClusterSecretLabel = "istio/multiCluster";

    public static readonly KubeResource Namespaces = new("", "v1", "namespaces", "Namespace", Namespaced: false);
    public static readonly KubeResource Nodes = new("", "v1", "nodes", "Node", Namespaced: false);
    public static readonly KubeResource Pods = new("", "v1", "pods", "Pod", Namespaced: true);
    public static readonly KubeResource Services = new("", "v1", "services", "Service", Namespaced: true);
    public static readonly KubeResource EndpointSlices = new("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", Namespaced: true);

    /// <summary>Remote cluster registrations (spec §4): only in the system namespace, only labelled ones.</summary>
    public static readonly KubeResource RemoteSecrets = new("", "v1", "secrets", "Secret", Namespaced: true)
    {
        Scope = ClusterScope.Local,
        SystemNamespaceOnly = true,
        LabelSelector = MultiClusterSecretLabel + "=true",
    };

    public static readonly KubeResource ServiceEntries = Crd("networking.istio.io", "serviceentries", "ServiceEntry", ClusterScope.Local);
    public static readonly KubeResource WorkloadEntries = Crd("networking.istio.io", "workloadentries", "WorkloadEntry", ClusterScope.Local);
    public static readonly KubeResource AuthorizationPolicies = Crd("security.istio.io", "authorizationpolicies", "AuthorizationPolicy", ClusterScope.Local);
    public static readonly KubeResource PeerAuthentications = Crd("security.istio.io", "peerauthentications", "PeerAuthentication", ClusterScope.Local);

    /// <summary>Watched in remote clusters too: their east-west gateways (spec §4).</summary>
    public static readonly KubeResource Gateways = Crd("gateway.networking.k8s.io", "gateways", "Gateway", ClusterScope.All);
    /// <summary>Cluster-scoped: a class's labels and annotations apply to its Gateways (waypoint traffic type, inbound binding).</summary>
    public static readonly KubeResource GatewayClasses = new("gateway.networking.k8s.io", "v1", "gatewayclasses", "GatewayClass", Namespaced: false)
    {
        Scope = ClusterScope.Local,
        CustomResource = true,
    };

    public static readonly KubeResource HttpRoutes = Crd("gateway.networking.k8s.io", "httproutes", "HTTPRoute", ClusterScope.Local);
    public static readonly KubeResource GrpcRoutes = Crd("gateway.networking.k8s.io", "grpcroutes", "GRPCRoute", ClusterScope.Local);
    public static readonly KubeResource InferencePools = Crd("inference.networking.k8s.io", "inferencepools", "InferencePool", ClusterScope.Local);

    /// <summary>Resources whose objects flow to the grains (everything but the remote-cluster Secrets).</summary>
    public static IReadOnlyList<KubeResource> MeshObjects { get; } =
    [
        Namespaces, Nodes, Pods, Services, EndpointSlices,
        ServiceEntries, WorkloadEntries, AuthorizationPolicies, PeerAuthentications,
        Gateways, GatewayClasses, HttpRoutes, GrpcRoutes, InferencePools,
    ];

    /// <summary>Everything the local cluster watches.</summary>
    public static IReadOnlyList<KubeResource> All { get; } = [.. MeshObjects, RemoteSecrets];

    /// <summary>What a cluster of the given kind watches for the grains.</summary>
    public static IEnumerable<KubeResource> MeshObjectsFor(bool local) =>
        MeshObjects.Where(r => local || r.Scope == ClusterScope.All);

    private static KubeResource Crd(string group, string plural, string kind, ClusterScope scope) =>
        new(group, "v1", plural, kind, Namespaced: true) { Scope = scope, CustomResource = true };
}
