using System.Collections.Concurrent;

namespace ControlPlane.Xds.Server;

/// <summary>The live ADS streams of this server.</summary>
public sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, IXdsConnection> _connections = new(StringComparer.Ordinal);
    private long _counter;

    public int Count => _connections.Count;

    public IEnumerable<IXdsConnection> All => _connections.Values;

    internal string NextId() => $"c{Interlocked.Increment(ref _counter)}";

    internal void Add(IXdsConnection connection) => _connections[connection.Id] = connection;

    internal void Remove(IXdsConnection connection) => _connections.TryRemove(connection.Id, out _);
}
