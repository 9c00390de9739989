using System.Collections.Concurrent;

namespace ControlPlane.Xds.Server;

/// <summary>The live ADS streams of this server.</summary>
public sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, IXdsConnection> _connections = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _draining = new();
    private TaskCompletionSource? _empty;
    private long _counter;

    public int Count => _connections.Count;

    public IEnumerable<IXdsConnection> All => _connections.Values;

    /// <summary>Cancelled when the server drains: every stream ends (with OK) on it.</summary>
    public CancellationToken Draining => _draining.Token;

    /// <summary>Ends every stream and waits until all have finished.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        await _draining.CancelAsync().ConfigureAwait(false);
        await WhenEmptyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Completes once no stream is open (at once if none is).</summary>
    public Task WhenEmptyAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_connections.IsEmpty)
            {
                return Task.CompletedTask;
            }
            _empty ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _empty.Task.WaitAsync(cancellationToken);
        }
    }

    internal string NextId() => $"c{Interlocked.Increment(ref _counter)}";

    internal void Add(IXdsConnection connection)
    {
        lock (_gate)
        {
            _connections[connection.Id] = connection;
        }
    }

    internal void Remove(IXdsConnection connection)
    {
        lock (_gate)
        {
            _connections.TryRemove(connection.Id, out _);
            if (_connections.IsEmpty && _empty is { } empty)
            {
                _empty = null;
                empty.TrySetResult();
            }
        }
    }
}
