namespace ControlPlane.Testing.Kubernetes;

/// <summary>
/// A resource the API server double serves: <c>/api/{Version}/…/{Plural}</c> for the core group,
/// <c>/apis/{Group}/{Version}/…/{Plural}</c> otherwise.
/// </summary>
public sealed record ApiResource(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    public static readonly ApiResource Namespaces = new("", "v1", "namespaces", "Namespace", Namespaced: false);
    public static readonly ApiResource Nodes = new("", "v1", "nodes", "Node", Namespaced: false);
    public static readonly ApiResource Pods = new("", "v1", "pods", "Pod", Namespaced: true);
    public static readonly ApiResource Services = new("", "v1", "services", "Service", Namespaced: true);
    public static readonly ApiResource Secrets = new("", "v1", "secrets", "Secret", Namespaced: true);
    public static readonly ApiResource ConfigMaps = new("", "v1", "configmaps", "ConfigMap", Namespaced: true);
    public static readonly ApiResource ServiceAccounts = new("", "v1", "serviceaccounts", "ServiceAccount", Namespaced: true);
    public static readonly ApiResource EndpointSlices = new("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", Namespaced: true);

    public static readonly ApiResource ServiceEntries = new("networking.istio.io", "v1", "serviceentries", "ServiceEntry", Namespaced: true);
    public static readonly ApiResource WorkloadEntries = new("networking.istio.io", "v1", "workloadentries", "WorkloadEntry", Namespaced: true);
    public static readonly ApiResource AuthorizationPolicies = new("security.istio.io", "v1", "authorizationpolicies", "AuthorizationPolicy", Namespaced: true);
    public static readonly ApiResource PeerAuthentications = new("security.istio.io", "v1", "peerauthentications", "PeerAuthentication", Namespaced: true);
    public static readonly ApiResource Gateways = new("gateway.networking.k8s.io", "v1", "gateways", "Gateway", Namespaced: true);
    public static readonly ApiResource GatewayClasses = new("gateway.networking.k8s.io", "v1", "gatewayclasses", "GatewayClass", Namespaced: false);
    public static readonly ApiResource HttpRoutes = new("gateway.networking.k8s.io", "v1", "httproutes", "HTTPRoute", Namespaced: true);
    public static readonly ApiResource GrpcRoutes = new("gateway.networking.k8s.io", "v1", "grpcroutes", "GRPCRoute", Namespaced: true);
    public static readonly ApiResource InferencePools = new("inference.networking.k8s.io", "v1", "inferencepools", "InferencePool", Namespaced: true);

    /// <summary>What every Kubernetes API server serves without CRDs (the subset the double knows).</summary>
    public static IReadOnlyList<ApiResource> BuiltIn { get; } =
        [Namespaces, Nodes, Pods, Services, Secrets, ConfigMaps, ServiceAccounts, EndpointSlices];

    /// <summary>The custom resources the control plane watches; a double serves them once installed.</summary>
    public static IReadOnlyList<ApiResource> CustomResources { get; } =
        [ServiceEntries, WorkloadEntries, AuthorizationPolicies, PeerAuthentications, Gateways, GatewayClasses, HttpRoutes, GrpcRoutes, InferencePools];

    /// <summary><c>v1</c> or <c>group/version</c>, as objects carry it.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public override string ToString() => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}
