using IPAddress = System.Net.IPAddress;
using ControlPlane.Ambient.Collections;
using ControlPlane.Ambient.Model;
using Google.Protobuf;
using Istio.Security;

namespace ControlPlane.Ambient.Builders;

/// <summary>
/// AuthorizationPolicy → the L4 Authorization ztunnel enforces (spec §3.8). ALLOW rules that need L7
/// attributes are dropped whole (more restrictive); DENY rules lose only their L7 parts.
/// </summary>
public static class AuthorizationBuilder
{
    public const string DryRunAnnotation = "istio.io/dry-run";

    /// <summary>The Authorization for ztunnel, or null when the policy is not for ztunnel.</summary>
    public static Authorization? Build(AuthorizationPolicy policy, MeshSettings mesh)
    {
        if (policy.HasTargetRefs || policy.Meta.Annotations.Get(DryRunAnnotation) == "true")
        {
            return null;
        }
        Istio.Security.Action action;
        switch (policy.Action)
        {
            case "" or "ALLOW":
                action = Istio.Security.Action.Allow;
                break;
            case "DENY":
                action = Istio.Security.Action.Deny;
                break;
            default:
                return null;
        }
        var authorization = new Authorization
        {
            Name = policy.Meta.Name,
            Namespace = policy.Meta.Namespace,
            Action = action,
            Scope = policy.Selector.Count > 0 ? Scope.WorkloadSelector
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

    /// <summary>One group per rule: the operations, the sources, then one clause per condition.</summary>
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
                match.Principals.AddRange(StringMatches(source.Principals, StripSpiffe));
                match.NotPrincipals.AddRange(StringMatches(source.NotPrincipals, StripSpiffe));
                match.ServiceAccounts.AddRange(ServiceAccounts(source.ServiceAccounts, policyNamespace));
                match.NotServiceAccounts.AddRange(ServiceAccounts(source.NotServiceAccounts, policyNamespace));
                from.Matches.Add(match);
            }
            group.Rules.Add(from);
        }
        foreach (var condition in rule.When)
        {
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
                    match.Principals.AddRange(StringMatches(condition.Values, StripSpiffe));
                    match.NotPrincipals.AddRange(StringMatches(condition.NotValues, StripSpiffe));
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
        // An ALLOW that ztunnel cannot fully check would allow too much: drop it.
        return allow && l7 ? null : group;
    }

    /// <summary><c>*</c> → presence, <c>*x</c> → suffix, <c>x*</c> → prefix, else exact.</summary>
    public static StringMatch StringMatch(string value) => value switch
    {
        "*" => new StringMatch { Presence = new Google.Protobuf.WellKnownTypes.Empty() },
        _ when value.StartsWith('*') => new StringMatch { Suffix = value[1..] },
        _ when value.EndsWith('*') => new StringMatch { Prefix = value[..^1] },
        _ => new StringMatch { Exact = value },
    };

    private static IEnumerable<StringMatch> StringMatches(ValueList<string> values, Func<string, string>? normalize = null)
    {
        foreach (var value in values)
        {
            yield return StringMatch(normalize is null ? value : normalize(value));
        }
    }

    private static string StripSpiffe(string principal) =>
        principal.StartsWith("spiffe://", StringComparison.Ordinal) ? principal["spiffe://".Length..] : principal;

    /// <summary>Ports that parse as 0–65535; others are dropped.</summary>
    private static IEnumerable<uint> Ports(ValueList<string> values)
    {
        foreach (var value in values)
        {
            if (uint.TryParse(value, out var port) && port <= 65535)
            {
                yield return port;
            }
        }
    }

    /// <summary>IPs and CIDRs; a bare IP gets /32 or /128; unparsable ones are dropped.</summary>
    public static IEnumerable<Address> Cidrs(ValueList<string> values)
    {
        foreach (var value in values)
        {
            var slash = value.IndexOf('/', StringComparison.Ordinal);
            var ipText = slash < 0 ? value : value[..slash];
            if (!IPAddress.TryParse(ipText, out var ip))
            {
                continue;
            }
            var bytes = ip.GetAddressBytes();
            var max = (uint)bytes.Length * 8;
            var length = max;
            if (slash >= 0 && (!uint.TryParse(value[(slash + 1)..], out length) || length > max))
            {
                continue;
            }
            yield return new Address { Address_ = ByteString.CopyFrom(bytes), Length = length };
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
