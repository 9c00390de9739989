namespace ControlPlane.Ambient.Model;

/// <summary>An mTLS mode for one port of a PeerAuthentication.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record PortMtls(uint Port, string Mode);
