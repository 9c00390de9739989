namespace ControlPlane.Xds.Server;

/// <summary>One stream's state for one type URL, as shown by <c>/debug/connections</c>.</summary>
public sealed record TypeSnapshot(
    string TypeUrl,
    string Scope,
    bool Wildcard,
    int SubscribedNames,
    string? LastNonce,
    string? AckedNonce,
    DateTimeOffset? AckedAt,
    long ResponsesSent,
    int NackCount,
    NackRecord? LastNack);
