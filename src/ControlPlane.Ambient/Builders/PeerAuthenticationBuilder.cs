using ControlPlane.Ambient.Collections;
using ControlPlane.Ambient.Model;
using Istio.Security;

namespace ControlPlane.Ambient.Builders;

/// <summary>
/// PeerAuthentication in ambient (spec §3.8): ztunnel only enforces STRICT, through DENY policies
/// that reject callers without an identity — one static policy in the root namespace, plus a
/// converted policy for workload-selector PeerAuthentications with port-level exceptions.
/// </summary>
public static class PeerAuthenticationBuilder
{
    public const string StaticStrictName = "istio_converted_static_strict";
    public const string ConvertedPrefix = "converted_peer_authentication_";

    public static string StaticStrictKey(MeshSettings mesh) => $"{mesh.RootNamespace}/{StaticStrictName}";

    /// <summary>The policy istiod publishes as soon as one PeerAuthentication exists anywhere.</summary>
    public static Authorization StaticStrictPolicy(MeshSettings mesh) => new()
    {
        Name = StaticStrictName,
        Namespace = mesh.RootNamespace,
        Scope = Scope.WorkloadSelector,
        Action = Istio.Security.Action.Deny,
        Groups = { new Group { Rules = { new Rules { Matches = { NoIdentity() } } } } },
    };

    /// <summary>The mesh-wide mode: the oldest selector-less PeerAuthentication of the root namespace.</summary>
    public static string MeshMode(IEnumerable<PeerAuthentication> rootPolicies) =>
        Oldest(rootPolicies.Where(p => p.Selector.Count == 0))?.Mode is { } mode && mode != MtlsModes.Unset ? mode : MtlsModes.Permissive;

    /// <summary>The namespace's mode (UNSET and absent inherit the mesh's).</summary>
    public static string NamespaceMode(IEnumerable<PeerAuthentication> namespacePolicies, string meshMode) =>
        Oldest(namespacePolicies.Where(p => p.Selector.Count == 0))?.Mode is { } mode && mode != MtlsModes.Unset ? mode : meshMode;

    /// <summary>
    /// The PeerAuthentication-derived policy key a workload lists, or null: the converted policy of its
    /// workload-selector PeerAuthentication when that has port exceptions, else the static one when the
    /// effective mode is STRICT.
    /// </summary>
    public static string? PolicyKey(StringMap labels, string ns, IReadOnlyList<PeerAuthentication> namespacePolicies, string meshMode, MeshSettings mesh)
    {
        var namespaceMode = NamespaceMode(namespacePolicies, meshMode);
        var workload = ns == mesh.RootNamespace
            ? null
            : Oldest(namespacePolicies.Where(p => p.Selector.Count > 0 && p.Selector.IsSubsetOf(labels)));
        if (workload is not null && Converted(workload, namespaceMode) is not null)
        {
            return $"{ns}/{ConvertedPrefix}{workload.Meta.Name}";
        }
        var mode = workload is not null && workload.Mode != MtlsModes.Unset ? workload.Mode : namespaceMode;
        return mode == MtlsModes.Strict ? StaticStrictKey(mesh) : null;
    }

    /// <summary>
    /// The DENY policy for a workload-selector PeerAuthentication whose ports differ from its mode:
    /// STRICT with exceptions rejects identity-less callers except on the exempt ports; a non-STRICT
    /// mode with STRICT ports rejects them on those ports only. Null when no port differs.
    /// </summary>
    public static Authorization? Converted(PeerAuthentication policy, string namespaceMode)
    {
        if (policy.Selector.Count == 0 || policy.PortLevelMtls.Count == 0)
        {
            return null;
        }
        var mode = policy.Mode == MtlsModes.Unset ? namespaceMode : policy.Mode;
        var authorization = new Authorization
        {
            Name = ConvertedPrefix + policy.Meta.Name,
            Namespace = policy.Meta.Namespace,
            Scope = Scope.WorkloadSelector,
            Action = Istio.Security.Action.Deny,
        };
        if (mode == MtlsModes.Strict)
        {
            var exempt = policy.PortLevelMtls.Where(p => p.Mode is not (MtlsModes.Strict or MtlsModes.Unset)).Select(p => p.Port).Order().ToList();
            if (exempt.Count == 0)
            {
                return null;
            }
            authorization.Groups.Add(new Group
            {
                Rules =
                {
                    new Rules { Matches = { NoIdentity() } },
                    new Rules { Matches = { new Match { NotDestinationPorts = { exempt } } } },
                },
            });
            return authorization;
        }
        foreach (var port in policy.PortLevelMtls.Where(p => p.Mode == MtlsModes.Strict).Select(p => p.Port).Order())
        {
            var match = NoIdentity();
            match.DestinationPorts.Add(port);
            authorization.Groups.Add(new Group { Rules = { new Rules { Matches = { match } } } });
        }
        return authorization.Groups.Count == 0 ? null : authorization;
    }

    private static Match NoIdentity() =>
        new() { NotPrincipals = { new StringMatch { Presence = new Google.Protobuf.WellKnownTypes.Empty() } } };

    private static PeerAuthentication? Oldest(IEnumerable<PeerAuthentication> policies) =>
        policies.OrderBy(p => p.Meta.CreationTimestamp).ThenBy(p => p.Meta.Name, StringComparer.Ordinal).FirstOrDefault();
}
