using ControlPlane.Ambient.Collections;

namespace ControlPlane.Ambient.Model;

/// <summary>One AuthorizationPolicy rule: sources, operations and conditions, all of which must match.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record PolicyRule(ValueList<PolicySource> From, ValueList<PolicyOperation> To, ValueList<PolicyCondition> When);
