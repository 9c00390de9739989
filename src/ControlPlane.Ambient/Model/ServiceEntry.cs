using ControlPlane.Ambient.Collections;

namespace ControlPlane.Ambient.Model;

/// <summary>What the ambient builders need of a networking.istio.io ServiceEntry.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record ServiceEntry : IMeshObject
{
    public required ObjectMeta Meta { get; init; }

    public string Kind => Kinds.ServiceEntry;

    public ValueList<string> Hosts { get; init; }

    /// <summary>VIPs: IPs or CIDRs.</summary>
    public ValueList<string> Addresses { get; init; }

    public ValueList<ServiceEntryPort> Ports { get; init; }

    /// <summary>NONE, STATIC, DNS, DNS_ROUND_ROBIN or DYNAMIC_DNS.</summary>
    public string Resolution { get; init; } = "NONE";

    public ValueList<WorkloadEndpoint> Endpoints { get; init; }

    /// <summary><c>spec.workloadSelector.labels</c>; null when the entry selects nothing.</summary>
    public StringMap? WorkloadSelector { get; init; }

    public ValueList<string> SubjectAltNames { get; init; }

    /// <summary>Auto-allocated VIPs from <c>status.addresses</c>.</summary>
    public ValueList<HostAddress> AllocatedAddresses { get; init; }
}
