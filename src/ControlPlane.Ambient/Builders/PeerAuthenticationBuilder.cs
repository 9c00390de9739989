using ControlPlane.Ambient.Collections;
using ControlPlane.Ambient.Model;
using Istio.Security;

namespace ControlPlane.Ambient.Builders;

/// <summary>
/// PeerAuthentication in ambient (spec §3.8): ztunnel only enforces STRICT, through DENY policies that
/// reject callers without an identity — one static policy in the root namespace, plus a converted
/// policy for a workload-selector PeerAuthentication whose ports differ from its effective mode.
/// </summary>
/// <remarks>
/// Precedence: mesh (root namespace, no selector, oldest) → namespace (no selector, oldest; UNSET
/// inherits) → workload (selector, oldest; UNSET inherits). istiod's port-level conversion has two
/// operator-precedence slips (a PERMISSIVE workload's STRICT port is dropped under a STRICT mesh; a
/// namespace policy with UNSET mode hides a STRICT mesh from port exceptions); this applies the
/// documented inheritance instead, and treats DISABLE ports like PERMISSIVE ones everywhere.
/// </remarks>
public static class PeerAuthenticationBuilder
{
    public const string StaticStrictName = "istio_converted_static_strict";
    public const string ConvertedPrefix = "converted_peer_authentication_";

    public static string StaticStrictKey(MeshSettings mesh) => Names.PolicyKey(mesh.RootNamespace, StaticStrictName);

    /// <summary>The policy istiod publishes as soon as one PeerAuthentication exists anywhere.</summary>
    public static Authorization StaticStrictPolicy(MeshSettings mesh) => new()
    {
        Name = StaticStrictName,
        Namespace = mesh.RootNamespace,
        Scope = Scope.WorkloadSelector,
        Action = Istio.Security.Action.Deny,
        Groups = { new Group { Rules = { new Rules { Matches = { NoIdentity() } } } } },
    };

    /// <summary>Is the mesh-wide policy (the oldest selector-less one of the root namespace) STRICT?</summary>
    public static bool MeshStrict(IEnumerable<PeerAuthentication> rootPolicies) =>
        Oldest(rootPolicies.Where(p => p.Selector.Count == 0))?.Mode == MtlsModes.Strict;

    /// <summary>The namespace-wide policy: the oldest selector-less one.</summary>
    public static PeerAuthentication? NamespacePolicy(IEnumerable<PeerAuthentication> namespacePolicies) =>
        Oldest(namespacePolicies.Where(p => p.Selector.Count == 0));

    /// <summary>Is the mode a workload inherits STRICT (namespace policy, unless UNSET, else the mesh's)?</summary>
    public static bool ParentStrict(PeerAuthentication? namespacePolicy, bool meshStrict) =>
        namespacePolicy is null || namespacePolicy.Mode == MtlsModes.Unset ? meshStrict : namespacePolicy.Mode == MtlsModes.Strict;

    /// <summary>The workload-selector policy that applies to a workload: the oldest whose selector matches.</summary>
    public static PeerAuthentication? WorkloadPolicy(StringMap labels, string ns, IEnumerable<PeerAuthentication> namespacePolicies, MeshSettings mesh) =>
        ns == mesh.RootNamespace
            ? null
            : Oldest(namespacePolicies.Where(p => p.Selector.Count > 0 && p.Selector.IsSubsetOf(labels)));

    /// <summary>
    /// The PeerAuthentication-derived policy key a workload lists, or null: the converted policy of its
    /// workload-selector PeerAuthentication when there is one, else the static one when its effective
    /// mode is STRICT.
    /// </summary>
    public static string? PolicyKey(StringMap labels, string ns, IReadOnlyCollection<PeerAuthentication> namespacePolicies, bool meshStrict, MeshSettings mesh)
    {
        var parentStrict = ParentStrict(NamespacePolicy(namespacePolicies), meshStrict);
        var workload = WorkloadPolicy(labels, ns, namespacePolicies, mesh);
        if (workload is not null && Converted(workload, parentStrict, mesh) is not null)
        {
            return Names.PolicyKey(ns, ConvertedPrefix + workload.Meta.Name);
        }
        var strict = workload is not null && workload.Mode != MtlsModes.Unset ? workload.Mode == MtlsModes.Strict : parentStrict;
        return strict ? StaticStrictKey(mesh) : null;
    }

    /// <summary>
    /// The DENY policy for a workload-selector PeerAuthentication (outside the root namespace) with
    /// port-level modes: effectively STRICT with PERMISSIVE/DISABLE ports ⇒ reject identity-less callers
    /// except on those ports; not STRICT with STRICT ports ⇒ reject them on those ports only. Null when
    /// no port differs from the effective mode.
    /// </summary>
    public static Authorization? Converted(PeerAuthentication policy, bool parentStrict, MeshSettings mesh)
    {
        if (policy.Meta.Namespace == mesh.RootNamespace || policy.Selector.Count == 0 || policy.PortLevelMtls.Count == 0)
        {
            return null;
        }
        var authorization = new Authorization
        {
            Name = ConvertedPrefix + policy.Meta.Name,
            Namespace = policy.Meta.Namespace,
            Scope = Scope.WorkloadSelector,
            Action = Istio.Security.Action.Deny,
        };
        var ports = policy.PortLevelMtls.OrderBy(p => p.Port).ToList();
        var strict = policy.Mode == MtlsModes.Strict || (policy.Mode == MtlsModes.Unset && parentStrict);
        if (strict)
        {
            var exempt = ports.Where(p => p.Mode is MtlsModes.Permissive or MtlsModes.Disable).ToList();
            if (exempt.Count == 0)
            {
                return null;
            }
            // Same shape as istiod: the identity requirement, then one clause per exempt port (all AND-ed).
            var group = new Group();
            if (policy.Mode == MtlsModes.Strict)
            {
                group.Rules.Add(new Rules { Matches = { NoIdentity() } });
            }
            foreach (var port in exempt)
            {
                group.Rules.Add(new Rules { Matches = { new Match { NotDestinationPorts = { port.Port } } } });
            }
            if (policy.Mode != MtlsModes.Strict)
            {
                group.Rules.Add(new Rules { Matches = { NoIdentity() } });
            }
            authorization.Groups.Add(group);
            return authorization;
        }
        foreach (var port in ports.Where(p => p.Mode == MtlsModes.Strict))
        {
            var match = NoIdentity();
            match.DestinationPorts.Add(port.Port);
            authorization.Groups.Add(new Group { Rules = { new Rules { Matches = { match } } } });
        }
        return authorization.Groups.Count == 0 ? null : authorization;
    }

    private static Match NoIdentity() =>
        new() { NotPrincipals = { new StringMatch { Presence = new Google.Protobuf.WellKnownTypes.Empty() } } };

    private static PeerAuthentication? Oldest(IEnumerable<PeerAuthentication> policies) =>
        policies.OrderBy(p => p.Meta.CreationTimestamp).ThenBy(p => p.Meta.Name, StringComparer.Ordinal).FirstOrDefault();
}
