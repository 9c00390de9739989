using ControlPlane.Ambient.Collections;

namespace ControlPlane.Ambient.Model;

/// <summary>A workload-selector policy's key (<c>ns/name</c>) and the labels it selects.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record PolicySelector(string Key, StringMap Selector);
