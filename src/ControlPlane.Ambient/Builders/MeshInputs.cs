using ControlPlane.Ambient.Collections;
using ControlPlane.Ambient.Model;

namespace ControlPlane.Ambient.Builders;

/// <summary>
/// The mesh-wide inputs every namespace's build depends on. Held by the mesh grain and sent to the
/// namespace grains whenever it changes (compared by content); <see cref="Diff"/> tells a namespace
/// what to rebuild.
/// </summary>
/// <remarks>
/// Never changed once made (a change makes new inputs), so the broadcast shares one instance among the
/// namespace grains of a silo instead of copying it per grain (every node's locality, for every namespace).
/// </remarks>
[Immutable]
[GenerateSerializer]
public sealed class MeshInputs : IEquatable<MeshInputs>
{
    [Id(0)]
    public required MeshSettings Settings { get; init; }

    /// <summary>The local cluster's network: label <c>topology.istio.io/network</c> of the system namespace.</summary>
    [Id(1)]
    public string Network { get; init; } = string.Empty;

    /// <summary>Node name → locality, for nodes that have topology labels.</summary>
    [Id(2)]
    public Dictionary<string, NodeLocality> NodeLocalities { get; init; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Workload-selector AuthorizationPolicies of the root namespace (key → matchLabels): they apply to
    /// matching workloads in every namespace.
    /// </summary>
    [Id(3)]
    public Dictionary<string, StringMap> RootSelectorPolicies { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The mesh-wide PeerAuthentication (oldest selector-less one in the root namespace) is STRICT.</summary>
    [Id(4)]
    public bool MeshStrict { get; init; }

    /// <summary>Some PeerAuthentication exists somewhere: istiod then publishes the static STRICT policy.</summary>
    [Id(5)]
    public bool AnyPeerAuthentication { get; init; }

    /// <summary>Ready waypoints by <c>namespace/name</c>.</summary>
    [Id(6)]
    public Dictionary<string, Waypoint> Waypoints { get; init; } = new(StringComparer.Ordinal);

    /// <summary>
    /// ServiceEntry hosts claimed in more than one namespace → the namespace whose Service is canonical
    /// (the oldest claim). Hosts claimed once are canonical where they are claimed.
    /// </summary>
    [Id(7)]
    public Dictionary<string, string> CanonicalHosts { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Derives the mesh-wide inputs from the objects the mesh grain holds.</summary>
    public static MeshInputs From(
        MeshSettings settings,
        KubeNamespace? systemNamespace,
        IEnumerable<KubeNode> nodes,
        IEnumerable<AuthorizationPolicy> rootPolicies,
        IEnumerable<PeerAuthentication> peerAuthentications,
        IEnumerable<Gateway> gateways,
        IReadOnlyDictionary<string, GatewayClass> gatewayClasses,
        IEnumerable<HostClaim> hostClaims)
    {
        var localities = new Dictionary<string, NodeLocality>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (node.Locality is { } locality)
            {
                localities[node.Meta.Name] = locality;
            }
        }
        var selectorPolicies = new Dictionary<string, StringMap>(StringComparer.Ordinal);
        foreach (var policy in rootPolicies)
        {
            if (policy.Meta.Namespace == settings.RootNamespace && policy.HasSelector &&
                AuthorizationBuilder.Build(policy, settings) is not null)
            {
                selectorPolicies[Names.PolicyKey(policy.Meta.Namespace, policy.Meta.Name)] = policy.Selector;
            }
        }
        var anyPeerAuthentication = false;
        var meshPolicies = new List<PeerAuthentication>();
        foreach (var peerAuthentication in peerAuthentications)
        {
            anyPeerAuthentication = true;
            if (peerAuthentication.Meta.Namespace == settings.RootNamespace)
            {
                meshPolicies.Add(peerAuthentication);
            }
        }
        var waypoints = new Dictionary<string, Waypoint>(StringComparer.Ordinal);
        foreach (var gateway in gateways)
        {
            // The same Gateway from several clusters: the first one given wins.
            if (WaypointBuilder.FromGateway(gateway, gatewayClasses.GetValueOrDefault(gateway.ClassName)) is { } waypoint)
            {
                waypoints.TryAdd(waypoint.Key, waypoint);
            }
        }
        return new MeshInputs
        {
            Settings = settings,
            Network = systemNamespace?.Meta.Labels.Get(WellKnown.NetworkLabel) ?? string.Empty,
            NodeLocalities = localities,
            RootSelectorPolicies = selectorPolicies,
            MeshStrict = PeerAuthenticationBuilder.MeshStrict(meshPolicies),
            AnyPeerAuthentication = anyPeerAuthentication,
            Waypoints = waypoints,
            CanonicalHosts = CanonicalHostsOf(hostClaims),
        };
    }

    /// <summary>For hosts claimed by several namespaces: the oldest claim's namespace (ties: by name).</summary>
    private static Dictionary<string, string> CanonicalHostsOf(IEnumerable<HostClaim> claims)
    {
        var byHost = new Dictionary<string, (HostClaim Best, bool Contested)>(StringComparer.Ordinal);
        foreach (var claim in claims)
        {
            if (!byHost.TryGetValue(claim.Host, out var current))
            {
                byHost[claim.Host] = (claim, false);
                continue;
            }
            var better = claim.Created < current.Best.Created ||
                (claim.Created == current.Best.Created && string.CompareOrdinal(claim.Namespace, current.Best.Namespace) < 0);
            var contested = current.Contested || claim.Namespace != current.Best.Namespace;
            byHost[claim.Host] = (better ? claim : current.Best, contested);
        }
        var canonical = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (host, (best, contested)) in byHost)
        {
            if (contested)
            {
                canonical[host] = best.Namespace;
            }
        }
        return canonical;
    }

    /// <summary>Is this namespace's ServiceEntry Service for <paramref name="host"/> the canonical one?</summary>
    public bool IsCanonicalHost(string host, string ns) =>
        !CanonicalHosts.TryGetValue(host, out var owner) || owner == ns;

    /// <summary>What differs between two inputs, for incremental rebuilds.</summary>
    public static MeshChange Diff(MeshInputs? before, MeshInputs after)
    {
        if (before is null || before.Settings != after.Settings || before.Network != after.Network)
        {
            return MeshChange.All;
        }
        var policySelectors = new List<StringMap>();
        foreach (var key in ChangedKeys(before.RootSelectorPolicies, after.RootSelectorPolicies, EqualityComparer<StringMap>.Default))
        {
            if (before.RootSelectorPolicies.TryGetValue(key, out var old))
            {
                policySelectors.Add(old);
            }
            if (after.RootSelectorPolicies.TryGetValue(key, out var now))
            {
                policySelectors.Add(now);
            }
        }
        return new MeshChange
        {
            Nodes = ChangedKeys(before.NodeLocalities, after.NodeLocalities, EqualityComparer<NodeLocality>.Default),
            PolicySelectors = policySelectors,
            PeerAuthentication = before.MeshStrict != after.MeshStrict,
            StaticPolicy = before.AnyPeerAuthentication != after.AnyPeerAuthentication,
            Waypoints = ChangedKeys(before.Waypoints, after.Waypoints, EqualityComparer<Waypoint>.Default),
            Hosts = ChangedKeys(before.CanonicalHosts, after.CanonicalHosts, StringComparer.Ordinal),
        };
    }

    private static HashSet<string> ChangedKeys<T>(Dictionary<string, T> before, Dictionary<string, T> after, IEqualityComparer<T> comparer)
    {
        var changed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in before)
        {
            if (!after.TryGetValue(key, out var now) || !comparer.Equals(value, now))
            {
                changed.Add(key);
            }
        }
        foreach (var key in after.Keys)
        {
            if (!before.ContainsKey(key))
            {
                changed.Add(key);
            }
        }
        return changed;
    }

    public bool Equals(MeshInputs? other) =>
        other is not null &&
        Settings == other.Settings &&
        Network == other.Network &&
        MeshStrict == other.MeshStrict &&
        AnyPeerAuthentication == other.AnyPeerAuthentication &&
        ChangedKeys(NodeLocalities, other.NodeLocalities, EqualityComparer<NodeLocality>.Default).Count == 0 &&
        ChangedKeys(RootSelectorPolicies, other.RootSelectorPolicies, EqualityComparer<StringMap>.Default).Count == 0 &&
        ChangedKeys(Waypoints, other.Waypoints, EqualityComparer<Waypoint>.Default).Count == 0 &&
        ChangedKeys(CanonicalHosts, other.CanonicalHosts, StringComparer.Ordinal).Count == 0;

    public override bool Equals(object? obj) => Equals(obj as MeshInputs);

    public override int GetHashCode() =>
        HashCode.Combine(Settings, Network, MeshStrict, AnyPeerAuthentication, NodeLocalities.Count, RootSelectorPolicies.Count, Waypoints.Count, CanonicalHosts.Count);
}
