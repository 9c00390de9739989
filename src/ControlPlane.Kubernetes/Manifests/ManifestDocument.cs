using ControlPlane.Ambient.Model;

namespace ControlPlane.Kubernetes.Manifests;

/// <summary>
/// One YAML document of a manifest file: the object it holds, or why it was skipped. Positions let a
/// user find the document (<c>file:line</c>, document index from 1).
/// </summary>
public sealed record ManifestDocument(string File, int Index, int Line, IMeshObject? Object, string? ApiVersionKind, string? Error)
{
    public string Position => $"{File}:{Line} (document {Index})";
}
