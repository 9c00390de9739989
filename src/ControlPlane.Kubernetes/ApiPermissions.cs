using ControlPlane.Kubernetes.Informers;

namespace ControlPlane.Kubernetes;

/// <summary>
/// Every Kubernetes API access of the control plane, so RBAC (<c>deploy/</c>) can grant exactly these:
/// the informers' list/watch (from <see cref="KubeResources"/>) and the CA's reads and writes.
/// A test keeps <c>deploy/</c> equal to this table.
/// </summary>
public static class ApiPermissions
{
    /// <summary>What the control plane needs in its own (local) cluster.</summary>
    public static IReadOnlyList<ApiPermission> Local { get; } =
    [
        .. Watches(KubeResources.All),
        // The CA validates callers' service account tokens.
        new("authentication.k8s.io", "tokenreviews", "create", false, "CA: TokenReview of caller tokens"),
        // The CA publishes its root in every namespace (istiod's namespace controller) and keeps it current.
        new("", "configmaps", "get", false, "CA: istio-ca-root-cert in every namespace"),
        new("", "configmaps", "list", false, "CA: istio-ca-root-cert in every namespace"),
        new("", "configmaps", "watch", false, "CA: istio-ca-root-cert in every namespace"),
        new("", "configmaps", "create", false, "CA: istio-ca-root-cert in every namespace"),
        new("", "configmaps", "update", false, "CA: istio-ca-root-cert in every namespace"),
        // The self-signed root lives in istio-ca-secret in the system namespace.
        new("", "secrets", "get", true, "CA: istio-ca-secret"),
        new("", "secrets", "create", true, "CA: istio-ca-secret"),
    ];

    /// <summary>What the control plane needs in a remote cluster (the identity of the kubeconfig in its Secret).</summary>
    public static IReadOnlyList<ApiPermission> Remote { get; } =
    [
        .. Watches(KubeResources.All.Where(r => r.Scope == ClusterScope.All)),
        new("authentication.k8s.io", "tokenreviews", "create", false, "CA: TokenReview of tokens from that cluster"),
    ];

    private static IEnumerable<ApiPermission> Watches(IEnumerable<KubeResource> resources) =>
        resources.SelectMany(r => new[] { "list", "watch" }.Select(verb =>
            new ApiPermission(r.Group, r.Plural, verb, r.SystemNamespaceOnly, $"informer {r}")));
}
