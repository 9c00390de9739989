namespace ControlPlane.Ambient.Model;

/// <summary>A gateway.networking.k8s.io GatewayClass (cluster-scoped); its labels and annotations set waypoint defaults.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record GatewayClass : IMeshObject
{
    public required ObjectMeta Meta { get; init; }

    public string Kind => Kinds.GatewayClass;

    public string ControllerName { get; init; } = string.Empty;
}
