namespace ControlPlane.Kubernetes.Api;

/// <summary>The result of a list: the objects and the resourceVersion to watch from.</summary>
public sealed record KubeList(IReadOnlyList<KubeObject> Items, string ResourceVersion);
