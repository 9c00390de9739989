namespace ControlPlane.Testing.Kubernetes;

/// <summary>
/// Who a bearer token belongs to, as the double's TokenReview reports it. <see cref="Audiences"/> empty
/// means the API server's own audiences (a legacy or default-audience token).
/// </summary>
public sealed record TokenIdentity
{
    public required string Username { get; init; }

    public string Uid { get; init; } = Guid.NewGuid().ToString();

    public IReadOnlyList<string> Groups { get; init; } = [];

    public IReadOnlyList<string> Audiences { get; init; } = [];

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Extra { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>When the token stops being valid (its <c>exp</c>); null: never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>
    /// A bound service account token of a pod, as the kubelet projects it: username
    /// <c>system:serviceaccount:ns:sa</c>, the service account groups and the pod name/uid extras.
    /// </summary>
    public static TokenIdentity ServiceAccount(string ns, string serviceAccount, string podName, string podUid, params string[] audiences) => new()
    {
        Username = $"system:serviceaccount:{ns}:{serviceAccount}",
        Groups = ["system:serviceaccounts", $"system:serviceaccounts:{ns}", "system:authenticated"],
        Audiences = audiences,
        Extra = new Dictionary<string, IReadOnlyList<string>>
        {
            ["authentication.kubernetes.io/pod-name"] = [podName],
            ["authentication.kubernetes.io/pod-uid"] = [podUid],
        },
    };
}
