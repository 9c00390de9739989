namespace ControlPlane.Kubernetes.Api;

/// <summary>
/// One object as the API server sent it: identity, resourceVersion and its JSON. Deliberately not a
/// record: its text may hold secret data and must never end up in a log line.
/// </summary>
public sealed class KubeObject(string ns, string name, string resourceVersion, string json)
{
    /// <summary>Empty for cluster-scoped objects.</summary>
    public string Namespace { get; } = ns;

    public string Name { get; } = name;

    public string ResourceVersion { get; } = resourceVersion;

    public string Json { get; } = json;

    public override string ToString() => Namespace.Length == 0 ? $"{Name}@{ResourceVersion}" : $"{Namespace}/{Name}@{ResourceVersion}";
}
