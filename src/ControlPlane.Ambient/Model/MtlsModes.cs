namespace ControlPlane.Ambient.Model;

/// <summary>PeerAuthentication mTLS modes.</summary>
public static class MtlsModes
{
    public const string Unset = "UNSET";
    public const string Disable = "DISABLE";
    public const string Permissive = "PERMISSIVE";
    public const string Strict = "STRICT";
}
