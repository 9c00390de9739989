namespace ControlPlane.Kubernetes.Api;

/// <summary>
/// One line of a watch stream. Added/Modified/Deleted carry the <see cref="Object"/>; a Bookmark only a
/// <see cref="ResourceVersion"/>; an Error the API <see cref="Status"/> (410 Expired: relist).
/// </summary>
public sealed record WatchEvent(WatchEventType Type, KubeObject? Object, string? ResourceVersion, KubeApiException? Status);
