using ControlPlane.Ambient.Collections;

namespace ControlPlane.Ambient.Model;

/// <summary>A rule's <c>to[].operation</c>.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record PolicyOperation
{
    public ValueList<string> Hosts { get; init; }
    public ValueList<string> NotHosts { get; init; }
    public ValueList<string> Ports { get; init; }
    public ValueList<string> NotPorts { get; init; }
    public ValueList<string> Methods { get; init; }
    public ValueList<string> NotMethods { get; init; }
    public ValueList<string> Paths { get; init; }
    public ValueList<string> NotPaths { get; init; }
}
