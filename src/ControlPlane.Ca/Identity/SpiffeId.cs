using System.Diagnostics.CodeAnalysis;

namespace ControlPlane.Ca.Identity;

/// <summary>
/// A workload identity in Istio's SPIFFE form, <c>spiffe://&lt;trust domain&gt;/ns/&lt;namespace&gt;/sa/&lt;service account&gt;</c>.
/// </summary>
public sealed record SpiffeId(string TrustDomain, string Namespace, string ServiceAccount)
{
    public const string Scheme = "spiffe://";

    public string Uri => $"{Scheme}{TrustDomain}/ns/{Namespace}/sa/{ServiceAccount}";

    public override string ToString() => Uri;

    /// <summary>Parses the Istio form: exactly trust domain, <c>ns</c>, namespace, <c>sa</c>, service account, none empty.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out SpiffeId? id)
    {
        id = null;
        if (text is null || !text.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return false;
        }
        var parts = text[Scheme.Length..].Split('/');
        return parts.Length == 5 && parts[1] == "ns" && parts[3] == "sa" && TryCreate(parts[0], parts[2], parts[4], out id);
    }

    /// <summary>Builds an identity from its parts when each is a plausible name.</summary>
    public static bool TryCreate(string trustDomain, string ns, string serviceAccount, [NotNullWhen(true)] out SpiffeId? id)
    {
        id = IsValidName(trustDomain) && IsValidName(ns) && IsValidName(serviceAccount) ? new SpiffeId(trustDomain, ns, serviceAccount) : null;
        return id is not null;
    }

    /// <summary>
    /// Kubernetes names, and trust domains, are made of letters, digits, '-', '.' and '_': anything else
    /// (spaces, '/', '%', '?', '#', control characters) has no business in a certificate's URI.
    /// </summary>
    public static bool IsValidName(string segment)
    {
        if (segment.Length is 0 or > 253)
        {
            return false;
        }
        foreach (var c in segment)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '.' or '_'))
            {
                return false;
            }
        }
        return true;
    }
}
