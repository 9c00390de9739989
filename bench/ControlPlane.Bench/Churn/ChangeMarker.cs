using System.Globalization;
using ControlPlane.Ambient.Model;
using Authorization = Istio.Security.Authorization;
using Istio.Workload;

namespace ControlPlane.Bench.Churn;

/// <summary>
/// How a change carries its sequence number end to end, so propagation is measured without guessing
/// clocks: a pod gets label <c>service.istio.io/canonical-revision: c&lt;seq&gt;</c>, which istiod (and we)
/// copy into <c>Workload.canonical_revision</c>; a Service gets its <c>grpc</c> port's target port set to
/// <c>20000 + seq</c>, which shows in <c>Service.ports</c>; an AuthorizationPolicy gets port
/// <c>20000 + seq</c> added to its rule's <c>to.operation.ports</c>, which shows in the Authorization's
/// <c>destination_ports</c>. A client reads the number back from a sample-decoded resource; the server side
/// reads it from the object.
/// </summary>
public static class ChangeMarker
{
    public const string RevisionLabel = WellKnown.CanonicalRevisionLabel;
    public const uint MarkerServicePort = 9090;
    public const int TargetPortBase = 20_000;

    /// <summary>Largest marker a target port can carry (ports end at 65535).</summary>
    public const long MaxMarker = 65_535 - TargetPortBase;

    public static string Revision(long marker) => "c" + marker.ToString(CultureInfo.InvariantCulture);

    public static int TargetPort(long marker) =>
        marker is >= 0 and <= MaxMarker
            ? (int)(TargetPortBase + marker)
            : throw new ArgumentOutOfRangeException(nameof(marker), marker, $"a Service marker must be 0..{MaxMarker}");

    public static bool TryReadRevision(string? revision, out long marker)
    {
        marker = -1;
        return revision is { Length: > 1 } && revision[0] == 'c' &&
            long.TryParse(revision.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out marker);
    }

    /// <summary>The marker an Address resource carries, or -1 (a pod or service never churned).</summary>
    public static long Read(Address address)
    {
        switch (address.TypeCase)
        {
            case Address.TypeOneofCase.Workload:
                return TryReadRevision(address.Workload.CanonicalRevision, out var revision) ? revision : -1;
            case Address.TypeOneofCase.Service:
                foreach (var port in address.Service.Ports)
                {
                    if (port.ServicePort == MarkerServicePort && port.TargetPort >= TargetPortBase)
                    {
                        return port.TargetPort - TargetPortBase;
                    }
                }
                return -1;
            default:
                return -1;
        }
    }

    /// <summary>The marker an Authorization carries, or -1.</summary>
    public static long Read(Authorization authorization)
    {
        long marker = -1;
        foreach (var group in authorization.Groups)
        {
            foreach (var rules in group.Rules)
            {
                foreach (var match in rules.Matches)
                {
                    foreach (var port in match.DestinationPorts)
                    {
                        if (port >= TargetPortBase)
                        {
                            marker = Math.Max(marker, port - TargetPortBase);
                        }
                    }
                }
            }
        }
        return marker;
    }

    /// <summary>The marker a source object carries (as the config-directory source delivered it), or -1.</summary>
    public static long Read(IMeshObject obj)
    {
        switch (obj)
        {
            case Pod pod:
                return TryReadRevision(pod.Meta.Labels.Get(RevisionLabel), out var revision) ? revision : -1;
            case KubeService service:
                foreach (var port in service.Ports)
                {
                    if (port.Port == MarkerServicePort && port.TargetPortName is null && port.TargetPort >= TargetPortBase)
                    {
                        return port.TargetPort - TargetPortBase;
                    }
                }
                return -1;
            case AuthorizationPolicy policy:
                long marker = -1;
                foreach (var rule in policy.Rules)
                {
                    foreach (var operation in rule.To)
                    {
                        foreach (var port in operation.Ports)
                        {
                            if (int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= TargetPortBase)
                            {
                                marker = Math.Max(marker, number - TargetPortBase);
                            }
                        }
                    }
                }
                return marker;
            default:
                return -1;
        }
    }
}
