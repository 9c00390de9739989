using ControlPlane.Ambient.Model;
using ControlPlane.Ca.Authentication;
using ControlPlane.Ca.Identity;
using Microsoft.Extensions.Options;

namespace ControlPlane.Ca.Authorization;

/// <summary>
/// istiod's node authorization for impersonation: a trusted node account (ztunnel) may obtain the
/// certificate of an identity only if its own pod, named by its credential, still exists with the
/// credential's UID and service account, and a non-failed pod of that identity is scheduled on the
/// same node.
/// </summary>
public sealed class NodeAuthorizer
{
    private readonly PodIndex _pods;
    private readonly string _trustDomain;
    private readonly HashSet<(string Namespace, string ServiceAccount)> _trusted = [];

    public NodeAuthorizer(PodIndex pods, MeshSettings mesh, IOptions<CaOptions> options)
    {
        _pods = pods;
        _trustDomain = mesh.TrustDomain;
        foreach (var account in CaOptions.SplitList(options.Value.TrustedNodeAccounts))
        {
            if (CaOptionsValidator.TryParseAccount(account, out var ns, out var serviceAccount))
            {
                _trusted.Add((ns, serviceAccount));
            }
        }
    }

    /// <summary>
    /// Returns the identity <paramref name="caller"/> may obtain in place of its own, or null with the
    /// reason (for the log; callers are told only that impersonation failed).
    /// </summary>
    public SpiffeId? Authorize(CallerIdentity caller, string requested, out string failure)
    {
        failure = string.Empty;
        if (_trusted.Count == 0)
        {
            failure = "impersonation is disabled: no trusted node accounts are configured";
            return null;
        }
        if (!_trusted.Contains((caller.Id.Namespace, caller.Id.ServiceAccount)))
        {
            failure = $"{caller.Id.Namespace}/{caller.Id.ServiceAccount} is not a trusted node account";
            return null;
        }
        if (!SpiffeId.TryParse(requested, out var identity) || identity.TrustDomain != _trustDomain)
        {
            failure = $"requested identity '{Truncate(requested)}' is not spiffe://{_trustDomain}/ns/<namespace>/sa/<service account>";
            return null;
        }
        if (caller.PodName.Length == 0)
        {
            failure = "the credential names no pod (a bound token is required)";
            return null;
        }
        if (_pods.Find(caller.Cluster, caller.Id.Namespace, caller.PodName) is not { } pod)
        {
            failure = $"pod {caller.Id.Namespace}/{caller.PodName} is not known in cluster {caller.Cluster}";
            return null;
        }
        if (pod.Uid != caller.PodUid)
        {
            failure = $"pod {caller.Id.Namespace}/{caller.PodName} has UID '{pod.Uid}', the credential '{caller.PodUid}'";
            return null;
        }
        if (pod.ServiceAccount != caller.Id.ServiceAccount)
        {
            failure = $"pod {caller.Id.Namespace}/{caller.PodName} runs as {pod.ServiceAccount}";
            return null;
        }
        if (pod.NodeName.Length == 0 || !_pods.RunsOnNode(caller.Cluster, pod.NodeName, identity.Namespace, identity.ServiceAccount))
        {
            failure = $"no pod of {identity.Namespace}/{identity.ServiceAccount} runs on node '{pod.NodeName}'";
            return null;
        }
        return identity;
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
