namespace ControlPlane.Ambient.Model;

/// <summary>The object kinds the builders understand.</summary>
public static class Kinds
{
    public const string Namespace = "Namespace";
    public const string Node = "Node";
    public const string Pod = "Pod";
    public const string Service = "Service";
    public const string AuthorizationPolicy = "AuthorizationPolicy";
    public const string PeerAuthentication = "PeerAuthentication";
}
