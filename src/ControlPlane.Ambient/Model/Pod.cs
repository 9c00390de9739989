using ControlPlane.Ambient.Collections;

namespace ControlPlane.Ambient.Model;

/// <summary>What the ambient builders need of a Kubernetes Pod.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record Pod : IMeshObject
{
    public required ObjectMeta Meta { get; init; }

    public string Kind => Kinds.Pod;

    public string NodeName { get; init; } = string.Empty;

    public string ServiceAccount { get; init; } = string.Empty;

    /// <summary><c>status.podIPs</c> (falling back to <c>status.podIP</c>), as written.</summary>
    public ValueList<string> Ips { get; init; }

    /// <summary><c>status.phase</c>: Pending, Running, Succeeded, Failed, Unknown.</summary>
    public string Phase { get; init; } = string.Empty;

    /// <summary>The PodReady condition is True.</summary>
    public bool Ready { get; init; }

    public bool HostNetwork { get; init; }

    public ValueList<ContainerPort> ContainerPorts { get; init; }

    public OwnerReference? Controller { get; init; }

    /// <summary>Succeeded or Failed: such pods are not workloads any more.</summary>
    public bool IsTerminal => Phase is "Succeeded" or "Failed";
}
