using ControlPlane.Ambient.Collections;

namespace ControlPlane.Ambient.Model;

/// <summary>
/// The spec of a WorkloadEntry, which is also what a ServiceEntry's <c>endpoints[]</c> hold: an address
/// (IP or hostname) and what is known about the workload behind it.
/// </summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record WorkloadEndpoint
{
    /// <summary>An IP address, or a hostname ztunnel resolves.</summary>
    public string Address { get; init; } = string.Empty;

    /// <summary>Port name → number (<c>spec.ports</c>).</summary>
    public ValueList<NamedPort> Ports { get; init; }

    public StringMap Labels { get; init; }

    /// <summary>Network of the endpoint; empty = the cluster's.</summary>
    public string Network { get; init; } = string.Empty;

    /// <summary><c>region/zone/subzone</c>.</summary>
    public string Locality { get; init; } = string.Empty;

    /// <summary>Relative weight; 0 = unset.</summary>
    public uint Weight { get; init; }

    public string ServiceAccount { get; init; } = string.Empty;

    public uint? PortNamed(string name)
    {
        foreach (var port in Ports)
        {
            if (port.Name == name)
            {
                return port.Port;
            }
        }
        return null;
    }
}
