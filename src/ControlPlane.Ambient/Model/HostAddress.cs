namespace ControlPlane.Ambient.Model;

/// <summary>An IP istiod auto-allocated to one host of a ServiceEntry (<c>status.addresses[]</c>).</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record HostAddress(string Host, string Value);
