using ControlPlane.Ambient.Collections;

namespace ControlPlane.Ambient.Model;

/// <summary>What the ambient builders need of a security.istio.io AuthorizationPolicy.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record AuthorizationPolicy : IMeshObject
{
    public required ObjectMeta Meta { get; init; }

    public string Kind => Kinds.AuthorizationPolicy;

    /// <summary><c>spec.selector.matchLabels</c>; empty when the policy has no selector.</summary>
    public StringMap Selector { get; init; }

    /// <summary><c>spec.selector</c> is present (even if empty): the policy is workload-scoped.</summary>
    public bool HasSelector { get; init; }

    /// <summary>The policy targets a Gateway/Service (<c>targetRef(s)</c>): it is for waypoints, not ztunnel.</summary>
    public bool HasTargetRefs { get; init; }

    /// <summary>ALLOW (the default), DENY, CUSTOM or AUDIT.</summary>
    public string Action { get; init; } = "ALLOW";

    public ValueList<PolicyRule> Rules { get; init; }
}
