using System.Globalization;
using ControlPlane.Ambient.Collections;
using ControlPlane.Ambient.Model;
using Istio.Workload;

namespace ControlPlane.Ambient.Builders;

/// <summary>
/// Which waypoint an object uses (spec §3.6): its own <c>istio.io/use-waypoint</c> label (value
/// <c>none</c> opts out), else its namespace's; the waypoint must be ready, allow attachment from the
/// object's namespace and accept the traffic type. A label naming a waypoint that is not ready gives no
/// waypoint (no fallback to the namespace's), as in istiod.
/// </summary>
public static class WaypointResolver
{
    /// <summary>The waypoint a Service or ServiceEntry binds to, or null. Waypoints' own Services never bind.</summary>
    public static Waypoint? ForService(StringMap labels, NamespaceView view)
    {
        if (labels.Get(WellKnown.GatewayManagedLabel) is WellKnown.ManagedByMeshController or WellKnown.ManagedByEastWestController)
        {
            return null;
        }
        return Bound(labels, view) is { } waypoint && TrafficTypes.ForServices(waypoint.TrafficType) ? waypoint : null;
    }

    /// <summary>The waypoint a Pod, WorkloadEntry or ServiceEntry endpoint binds to, or null.</summary>
    public static Waypoint? ForWorkload(StringMap labels, NamespaceView view) =>
        Bound(labels, view) is { } waypoint && TrafficTypes.ForWorkloads(waypoint.TrafficType) ? waypoint : null;

    /// <summary>The ready waypoint this object is an instance of (label <c>gateway.networking.k8s.io/gateway-name</c>).</summary>
    public static Waypoint? InstanceOf(StringMap labels, NamespaceView view) =>
        labels.Get(WellKnown.GatewayNameLabel) is { } name &&
        view.Mesh.Waypoints.TryGetValue(Names.WaypointKey(view.Name, name), out var waypoint)
            ? waypoint
            : null;

    /// <summary>
    /// Canary waypoints (1.31): with <c>istio.io/use-waypoint-canary</c> (+ <c>-namespace</c>) and the
    /// weight annotation (0–100, default 0) ⇒ [{primary, 100-w}, {canary, w}]. The canary is read from
    /// the object, or from the namespace when the object sets no waypoint of its own. An invalid weight,
    /// a canary equal to the primary, or a canary not ready/allowed/for services ⇒ none.
    /// </summary>
    public static IReadOnlyList<WeightedWaypoint> Weighted(StringMap labels, StringMap annotations, Waypoint? primary, NamespaceView view)
    {
        if (primary?.ToGatewayAddress(view.Mesh.Network) is not { } primaryAddress)
        {
            return [];
        }
        var inherit = !labels.ContainsKey(WellKnown.UseWaypointLabel) || labels[WellKnown.UseWaypointLabel] == "none";
        var canaryLabels = labels;
        if (!labels.ContainsKey(WellKnown.UseWaypointCanaryLabel) && inherit && view.NamespaceLabels.ContainsKey(WellKnown.UseWaypointCanaryLabel))
        {
            canaryLabels = view.NamespaceLabels;
        }
        if (canaryLabels.Get(WellKnown.UseWaypointCanaryLabel) is not { Length: > 0 } canaryName || canaryName == "none")
        {
            return [];
        }
        var canaryKey = Names.WaypointKey(canaryLabels.Get(WellKnown.UseWaypointCanaryNamespaceLabel) ?? view.Name, canaryName);
        if (canaryKey == primary.Key)
        {
            return [];
        }
        var weightText = annotations.Get(WellKnown.UseWaypointCanaryWeightAnnotation)
            ?? (inherit ? view.NamespaceAnnotations.Get(WellKnown.UseWaypointCanaryWeightAnnotation) : null);
        var weight = 0;
        if (weightText is not null &&
            (!int.TryParse(weightText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out weight) || weight is < 0 or > 100))
        {
            return [];
        }
        if (!view.Mesh.Waypoints.TryGetValue(canaryKey, out var canary) ||
            !canary.AllowsAttachmentFrom(view.Name, view.NamespaceLabels) ||
            !TrafficTypes.ForServices(canary.TrafficType) ||
            canary.ToGatewayAddress(view.Mesh.Network) is not { } canaryAddress)
        {
            return [];
        }
        return
        [
            new WeightedWaypoint { Destination = primaryAddress, Weight = (uint)(100 - weight) },
            new WeightedWaypoint { Destination = canaryAddress, Weight = (uint)weight },
        ];
    }

    /// <summary>Keys of every waypoint whose readiness or settings can change this object's binding.</summary>
    public static IEnumerable<string> Referenced(StringMap labels, NamespaceView view)
    {
        foreach (var source in new[] { labels, view.NamespaceLabels })
        {
            if (source.Get(WellKnown.UseWaypointLabel) is { } name)
            {
                yield return Names.WaypointKey(source.Get(WellKnown.UseWaypointNamespaceLabel) ?? view.Name, name);
            }
            if (source.Get(WellKnown.UseWaypointCanaryLabel) is { } canary)
            {
                yield return Names.WaypointKey(source.Get(WellKnown.UseWaypointCanaryNamespaceLabel) ?? view.Name, canary);
            }
        }
        if (labels.Get(WellKnown.GatewayNameLabel) is { } instanceOf)
        {
            yield return Names.WaypointKey(view.Name, instanceOf);
        }
    }

    /// <summary>The object's own binding, else its namespace's.</summary>
    private static Waypoint? Bound(StringMap labels, NamespaceView view)
    {
        if (labels.TryGetValue(WellKnown.UseWaypointLabel, out var name))
        {
            return name == "none" ? null : Lookup(labels.Get(WellKnown.UseWaypointNamespaceLabel) ?? view.Name, name, view);
        }
        var namespaceLabels = view.NamespaceLabels;
        return namespaceLabels.TryGetValue(WellKnown.UseWaypointLabel, out var inherited) && inherited != "none"
            ? Lookup(namespaceLabels.Get(WellKnown.UseWaypointNamespaceLabel) ?? view.Name, inherited, view)
            : null;
    }

    private static Waypoint? Lookup(string ns, string name, NamespaceView view) =>
        view.Mesh.Waypoints.TryGetValue(Names.WaypointKey(ns, name), out var waypoint) &&
        waypoint.AllowsAttachmentFrom(view.Name, view.NamespaceLabels)
            ? waypoint
            : null;
}
