using ControlPlane.Ambient.Collections;

namespace ControlPlane.Ambient.Model;

/// <summary>A rule's <c>when[]</c> condition.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record PolicyCondition(string Key, ValueList<string> Values, ValueList<string> NotValues);
