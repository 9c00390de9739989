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
    public const string ServiceEntry = "ServiceEntry";
    public const string WorkloadEntry = "WorkloadEntry";
    public const string EndpointSlice = "EndpointSlice";
    public const string Gateway = "Gateway";
    public const string GatewayClass = "GatewayClass";
}
