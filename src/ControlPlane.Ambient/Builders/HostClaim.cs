namespace ControlPlane.Ambient.Builders;

/// <summary>
/// A namespace publishes a ServiceEntry Service for <see cref="Host"/>, from an entry created at
/// <see cref="Created"/>. The mesh picks one canonical namespace among the claims on a host.
/// </summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record HostClaim(string Host, string Namespace, DateTimeOffset Created);
