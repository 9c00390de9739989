namespace ControlPlane.Kubernetes.Informers;

/// <summary>
/// One watched resource: where it is served (<see cref="Group"/>, <see cref="Version"/>,
/// <see cref="Plural"/>), its <see cref="Kind"/>, whether it is namespaced, in which clusters it is
/// watched, and whether the watch is narrowed to the system namespace and a label selector.
/// </summary>
public sealed record KubeResource(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    public ClusterScope Scope { get; init; } = ClusterScope.All;

    /// <summary>Served by a CRD that may not be installed: a 404 means "not installed" (reported, retried), not a failure.</summary>
    public bool CustomResource { get; init; }

    /// <summary>Watched only in the control plane's system namespace.</summary>
    public bool SystemNamespaceOnly { get; init; }

    /// <summary>Label selector of the list and watch, e.g. <c>istio/multiCluster=true</c>.</summary>
    public string? LabelSelector { get; init; }

    /// <summary><c>v1</c> or <c>group/version</c>.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>What <see cref="Conversion.KubeObjectConverter.Convert"/> expects: <c>apiVersion/Kind</c>.</summary>
    public string ApiVersionKind => $"{ApiVersion}/{Kind}";

    /// <summary>The collection path, relative to the server: <c>api/v1/namespaces/ns/pods</c>, <c>apis/g/v/plural</c>.</summary>
    public string CollectionPath(string? ns)
    {
        var root = Group.Length == 0 ? $"api/{Version}/" : $"apis/{Group}/{Version}/";
        return ns is null ? root + Plural : $"{root}namespaces/{Uri.EscapeDataString(ns)}/{Plural}";
    }

    /// <summary>Short name for logs and /debug: <c>pods</c>, <c>gateways.gateway.networking.k8s.io</c>.</summary>
    public override string ToString() => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}
