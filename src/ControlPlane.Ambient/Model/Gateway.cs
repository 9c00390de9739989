using ControlPlane.Ambient.Collections;

namespace ControlPlane.Ambient.Model;

/// <summary>What the ambient builders need of a gateway.networking.k8s.io Gateway (waypoints are Gateways).</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record Gateway : IMeshObject
{
    public required ObjectMeta Meta { get; init; }

    public string Kind => Kinds.Gateway;

    public string ClassName { get; init; } = string.Empty;

    public ValueList<GatewayListener> Listeners { get; init; }

    /// <summary><c>status.addresses</c>: empty until the Gateway's deployment is ready.</summary>
    public ValueList<GatewayStatusAddress> Addresses { get; init; }
}
