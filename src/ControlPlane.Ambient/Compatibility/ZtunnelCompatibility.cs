using System.Globalization;
using System.Text.RegularExpressions;
using ControlPlane.Ambient.Builders;
using Google.Protobuf;
using Istio.Workload;

namespace ControlPlane.Ambient.Compatibility;

/// <summary>
/// What older ztunnels must not be sent (spec §2 "since", §8.1). ztunnel NACKs enum values it does not
/// know, and silently ignores fields it does not know — which for some fields changes the meaning. A
/// ztunnel's <c>ISTIO_VERSION</c> metadata selects a level; each level strips what it predates:
/// <list type="bullet">
/// <item>before 1.28: LoadBalancing mode PASSTHROUGH (an unknown enum value) becomes unspecified;</item>
/// <item>before 1.29: dry-run Authorizations are not sent (older ztunnels would enforce them);</item>
/// <item>before 1.31: port app_protocol and weighted_waypoints are dropped (<c>waypoint</c> stays the
/// primary), CIDR VIPs are dropped (an old ztunnel would read them as single IPs), and NAMESPACE-visible
/// Services are not sent (an old ztunnel would show them to every namespace).</item>
/// </list>
/// A ztunnel without a version, or with one it cannot parse, gets the newest form.
/// </summary>
public static partial class ZtunnelCompatibility
{
    /// <summary>Minor versions (of 1.x) that introduced something a level must strip, ascending.</summary>
    private static readonly int[] Thresholds = [28, 29, 31];

    private const int PassthroughSince = 28;
    private const int DryRunSince = 29;
    private const int AppProtocolVisibilityWeightedCidrSince = 31;

    /// <summary>The level for an <c>ISTIO_VERSION</c> (e.g. <c>1.27.3</c> → <c>&lt;1.28</c>); empty = newest.</summary>
    public static string LevelFor(string? istioVersion)
    {
        if (istioVersion is null || VersionPattern().Match(istioVersion) is not { Success: true } match ||
            !int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var major) ||
            !int.TryParse(match.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var minor) ||
            major != 1)
        {
            return string.Empty;
        }
        foreach (var threshold in Thresholds)
        {
            if (minor < threshold)
            {
                return $"<1.{threshold}";
            }
        }
        return string.Empty;
    }

    /// <summary>Adapts one encoded resource to a level from <see cref="LevelFor"/>.</summary>
    public static Downgrade Adapt(AmbientResourceKind kind, string level, ReadOnlySpan<byte> body)
    {
        if (!TryParseLevel(level, out var threshold))
        {
            return Downgrade.Unchanged;
        }
        try
        {
            return kind switch
            {
                AmbientResourceKind.Address => AdaptAddress(Address.Parser.ParseFrom(body), threshold),
                AmbientResourceKind.Authorization => AdaptAuthorization(Istio.Security.Authorization.Parser.ParseFrom(body), threshold),
                _ => Downgrade.Unchanged,
            };
        }
        catch (InvalidProtocolBufferException)
        {
            // Not ours to judge: serve it as published.
            return Downgrade.Unchanged;
        }
    }

    /// <summary>Features introduced at or after <paramref name="threshold"/> (1.x) are unknown at this level.</summary>
    private static bool Lacks(int threshold, int since) => since >= threshold;

    private static Downgrade AdaptAddress(Address address, int threshold)
    {
        if (address.TypeCase != Address.TypeOneofCase.Service)
        {
            return Downgrade.Unchanged;
        }
        var service = address.Service;
        var changed = false;
        if (Lacks(threshold, PassthroughSince) && service.LoadBalancing?.Mode == LoadBalancing.Types.Mode.Passthrough)
        {
            service.LoadBalancing.Mode = LoadBalancing.Types.Mode.UnspecifiedMode;
            changed = true;
        }
        if (Lacks(threshold, AppProtocolVisibilityWeightedCidrSince))
        {
            if (service.Visibility == Service.Types.Visibility.Namespace)
            {
                return Downgrade.Omit;
            }
            foreach (var port in service.Ports)
            {
                if (port.AppProtocol != AppProtocol.Unknown)
                {
                    port.AppProtocol = AppProtocol.Unknown;
                    changed = true;
                }
            }
            if (service.WeightedWaypoints.Count > 0)
            {
                service.WeightedWaypoints.Clear();
                changed = true;
            }
            for (var i = service.Addresses.Count - 1; i >= 0; i--)
            {
                if (service.Addresses[i].HasLength)
                {
                    service.Addresses.RemoveAt(i);
                    changed = true;
                }
            }
        }
        return changed ? Downgrade.Replace(address) : Downgrade.Unchanged;
    }

    private static Downgrade AdaptAuthorization(Istio.Security.Authorization authorization, int threshold) =>
        Lacks(threshold, DryRunSince) && authorization.DryRun ? Downgrade.Omit : Downgrade.Unchanged;

    private static bool TryParseLevel(string level, out int threshold)
    {
        threshold = 0;
        return level.StartsWith("<1.", StringComparison.Ordinal) &&
            int.TryParse(level.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out threshold);
    }

    [GeneratedRegex(@"^v?(\d+)\.(\d+)")]
    private static partial Regex VersionPattern();
}
