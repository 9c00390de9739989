using ControlPlane.Ambient.Collections;
using ControlPlane.Ambient.Model;
using Istio.Security;

namespace ControlPlane.Ambient.Builders;

/// <summary>
/// AuthorizationPolicy → the L4 Authorization ztunnel enforces (spec §2.2, §3.8). ALLOW rules that need
/// L7 attributes are dropped whole (more restrictive); DENY rules lose only their L7 parts.
/// </summary>
public static class AuthorizationBuilder
{
    public const string DryRunAnnotation = "istio.io/dry-run";

    private const string SpiffePrefix = "spiffe://";

    /// <summary>
    /// The Authorization for ztunnel, or null when the policy is not for ztunnel: it targets a waypoint
    /// (<c>targetRef(s)</c>), is a dry run (istiod's ambient dry-run support is off by default), or its
    /// action is CUSTOM or AUDIT.
    /// </summary>
    public static Authorization? Build(AuthorizationPolicy policy, MeshSettings mesh)
    {
        if (!AppliesToZtunnel(policy))
        {
            return null;
        }
        var action = policy.Action == "DENY" ? Istio.Security.Action.Deny : Istio.Security.Action.Allow;
        var authorization = new Authorization
        {
            Name = policy.Meta.Name,
            Namespace = policy.Meta.Namespace,
            Action = action,
            Scope = policy.HasSelector ? Scope.WorkloadSelector
                : policy.Meta.Namespace == mesh.RootNamespace ? Scope.Global
                : Scope.Namespace,
        };
        foreach (var rule in policy.Rules)
        {
            if (BuildGroup(rule, policy.Meta.Namespace, allow: action == Istio.Security.Action.Allow) is { } group)
            {
                authorization.Groups.Add(group);
            }
        }
        return authorization;
    }

    /// <summary>Is the policy sent to ztunnel at all (see <see cref="Build"/>)?</summary>
    public static bool AppliesToZtunnel(AuthorizationPolicy policy) =>
        !policy.HasTargetRefs &&
        GoStrings.ParseBool(policy.Meta.Annotations.Get(DryRunAnnotation)) != true &&
        policy.Action is "" or "ALLOW" or "DENY";

    /// <summary>One group per rule: a clause for the operations, one for the sources, then one per condition.</summary>
    private static Group? BuildGroup(PolicyRule rule, string policyNamespace, bool allow)
    {
        var group = new Group();
        var l7 = false;
        if (rule.To.Count > 0)
        {
            var to = new Rules();
            foreach (var operation in rule.To)
            {
                l7 |= operation.Hosts.Count + operation.NotHosts.Count + operation.Methods.Count +
                      operation.NotMethods.Count + operation.Paths.Count + operation.NotPaths.Count > 0;
                var match = new Match();
                match.DestinationPorts.AddRange(Ports(operation.Ports));
                match.NotDestinationPorts.AddRange(Ports(operation.NotPorts));
                to.Matches.Add(match);
            }
            group.Rules.Add(to);
        }
        if (rule.From.Count > 0)
        {
            var from = new Rules();
            foreach (var source in rule.From)
            {
                l7 |= source.RequestPrincipals.Count + source.NotRequestPrincipals.Count +
                      source.RemoteIpBlocks.Count + source.NotRemoteIpBlocks.Count > 0;
                var match = new Match();
                match.SourceIps.AddRange(Cidrs(source.IpBlocks));
                match.NotSourceIps.AddRange(Cidrs(source.NotIpBlocks));
                match.Namespaces.AddRange(StringMatches(source.Namespaces));
                match.NotNamespaces.AddRange(StringMatches(source.NotNamespaces));
                match.ServiceAccounts.AddRange(ServiceAccounts(source.ServiceAccounts, policyNamespace));
                match.NotServiceAccounts.AddRange(ServiceAccounts(source.NotServiceAccounts, policyNamespace));
                match.Principals.AddRange(Principals(source.Principals));
                match.NotPrincipals.AddRange(Principals(source.NotPrincipals));
                from.Matches.Add(match);
            }
            group.Rules.Add(from);
        }
        foreach (var condition in rule.When)
        {
            // An L7 key leaves an empty match: ztunnel skips it, so such a DENY clause never fires.
            var match = new Match();
            switch (condition.Key)
            {
                case "source.ip":
                    match.SourceIps.AddRange(Cidrs(condition.Values));
                    match.NotSourceIps.AddRange(Cidrs(condition.NotValues));
                    break;
                case "source.namespace":
                    match.Namespaces.AddRange(StringMatches(condition.Values));
                    match.NotNamespaces.AddRange(StringMatches(condition.NotValues));
                    break;
                case "source.principal":
                    match.Principals.AddRange(Principals(condition.Values));
                    match.NotPrincipals.AddRange(Principals(condition.NotValues));
                    break;
                case "destination.ip":
                    match.DestinationIps.AddRange(Cidrs(condition.Values));
                    match.NotDestinationIps.AddRange(Cidrs(condition.NotValues));
                    break;
                case "destination.port":
                    match.DestinationPorts.AddRange(Ports(condition.Values));
                    match.NotDestinationPorts.AddRange(Ports(condition.NotValues));
                    break;
                default:
                    l7 = true;
                    break;
            }
            group.Rules.Add(new Rules { Matches = { match } });
        }
        // An ALLOW that ztunnel cannot fully check would allow too much: drop the whole rule.
        return allow && l7 ? null : group;
    }

    /// <summary><c>*</c> → presence, <c>*x</c> → suffix x, <c>x*</c> → prefix x, else exact.</summary>
    public static StringMatch StringMatch(string value) => value switch
    {
        "*" => new StringMatch { Presence = new Google.Protobuf.WellKnownTypes.Empty() },
        _ when value.StartsWith('*') => new StringMatch { Suffix = value[1..] },
        _ when value.EndsWith('*') => new StringMatch { Prefix = value[..^1] },
        _ => new StringMatch { Exact = value },
    };

    private static IEnumerable<StringMatch> StringMatches(ValueList<string> values)
    {
        foreach (var value in values)
        {
            yield return StringMatch(value);
        }
    }

    /// <summary>Principals are matched without <c>spiffe://</c> (ztunnel strips it from the peer); strip a written one too.</summary>
    private static IEnumerable<StringMatch> Principals(ValueList<string> values)
    {
        foreach (var value in values)
        {
            yield return StringMatch(value.StartsWith(SpiffePrefix, StringComparison.Ordinal) ? value[SpiffePrefix.Length..] : value);
        }
    }

    /// <summary>Decimal ports 0–65535; anything else is dropped.</summary>
    private static IEnumerable<uint> Ports(ValueList<string> values)
    {
        foreach (var value in values)
        {
            if (GoStrings.TryParsePort(value, out var port))
            {
                yield return port;
            }
        }
    }

    /// <summary>IPs and CIDRs as written (not masked); a bare IP gets /32 or /128; unparsable ones are dropped.</summary>
    private static IEnumerable<Address> Cidrs(ValueList<string> values)
    {
        foreach (var value in values)
        {
            if (IpBytes.TryParsePrefix(value, mask: false, out var bytes, out var length))
            {
                yield return new Address { Address_ = bytes, Length = length };
            }
        }
    }

    /// <summary><c>ns/sa</c>, or a bare <c>sa</c> in the policy's namespace.</summary>
    private static IEnumerable<ServiceAccountMatch> ServiceAccounts(ValueList<string> values, string policyNamespace)
    {
        foreach (var value in values)
        {
            var slash = value.IndexOf('/', StringComparison.Ordinal);
            yield return slash < 0
                ? new ServiceAccountMatch { Namespace = policyNamespace, ServiceAccount = value }
                : new ServiceAccountMatch { Namespace = value[..slash], ServiceAccount = value[(slash + 1)..] };
        }
    }
}
