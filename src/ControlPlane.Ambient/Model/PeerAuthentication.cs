using ControlPlane.Ambient.Collections;

namespace ControlPlane.Ambient.Model;

/// <summary>What the ambient builders need of a security.istio.io PeerAuthentication.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record PeerAuthentication : IMeshObject
{
    public required ObjectMeta Meta { get; init; }

    public string Kind => Kinds.PeerAuthentication;

    /// <summary><c>spec.selector.matchLabels</c>; empty for a namespace- or mesh-wide policy.</summary>
    public StringMap Selector { get; init; }

    /// <summary><c>spec.mtls.mode</c>: UNSET (inherit), DISABLE, PERMISSIVE or STRICT.</summary>
    public string Mode { get; init; } = MtlsModes.Unset;

    /// <summary><c>spec.portLevelMtls</c>: port → mode.</summary>
    public ValueList<PortMtls> PortLevelMtls { get; init; }
}
