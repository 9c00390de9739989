using ControlPlane.Xds.Server;

namespace ControlPlane.Integration.Tests.GrpcXds;

/// <summary>One entry of the server's <c>/debug/connections</c>.</summary>
public sealed record DebugConnection(
    string Id,
    string Protocol,
    string? Node,
    string? Kind,
    DateTimeOffset ConnectedAt,
    IReadOnlyList<TypeSnapshot> Types)
{
    public TypeSnapshot Type(string typeUrl) =>
        Types.SingleOrDefault(t => t.TypeUrl == typeUrl)
        ?? throw new InvalidOperationException($"connection {Id} has no {typeUrl} subscription; it has {string.Join(", ", Types.Select(t => t.TypeUrl))}");
}
