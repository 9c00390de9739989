using ControlPlane.Ca.Identity;

namespace ControlPlane.Ca.Authentication;

/// <summary>
/// An authenticated caller: its SPIFFE id and, when its credential says so (a bound Kubernetes token, a
/// static token entry), the pod it runs as. The pod is what node authorization checks.
/// </summary>
public sealed record CallerIdentity
{
    public required SpiffeId Id { get; init; }

    public required AuthSource Source { get; init; }

    /// <summary>Cluster the credential belongs to (where the caller's pod is looked up).</summary>
    public required string Cluster { get; init; }

    /// <summary>Pod name from the credential; empty when it names none.</summary>
    public string PodName { get; init; } = string.Empty;

    /// <summary>Pod UID from the credential; empty when it names none.</summary>
    public string PodUid { get; init; } = string.Empty;

    public override string ToString() =>
        PodName.Length == 0 ? $"{Id} ({Source})" : $"{Id} (pod {Id.Namespace}/{PodName}, {Source})";
}
