using ControlPlane.Ambient.Collections;

namespace ControlPlane.Ambient.Model;

/// <summary>A rule's <c>from[].source</c>.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record PolicySource
{
    public ValueList<string> Principals { get; init; }
    public ValueList<string> NotPrincipals { get; init; }
    public ValueList<string> RequestPrincipals { get; init; }
    public ValueList<string> NotRequestPrincipals { get; init; }
    public ValueList<string> Namespaces { get; init; }
    public ValueList<string> NotNamespaces { get; init; }
    public ValueList<string> IpBlocks { get; init; }
    public ValueList<string> NotIpBlocks { get; init; }
    public ValueList<string> RemoteIpBlocks { get; init; }
    public ValueList<string> NotRemoteIpBlocks { get; init; }
    public ValueList<string> ServiceAccounts { get; init; }
    public ValueList<string> NotServiceAccounts { get; init; }
}
