using ControlPlane.Xds.Proxy;

namespace ControlPlane.Xds.Server;

/// <summary>A live ADS stream as the debug endpoints see it.</summary>
public interface IXdsConnection
{
    string Id { get; }

    /// <summary><c>delta</c> or <c>sotw</c>.</summary>
    string Protocol { get; }

    /// <summary>Null until the first request arrived.</summary>
    ProxyNode? Proxy { get; }

    DateTimeOffset ConnectedAt { get; }

    IReadOnlyList<TypeSnapshot> SnapshotTypes();
}
