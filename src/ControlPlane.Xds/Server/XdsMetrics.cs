namespace ControlPlane.Xds.Server;

/// <summary>Counters of the xDS server, rendered by the host's <c>/metrics</c> endpoint.</summary>
public sealed class XdsMetrics
{
    private long _deltaConnections;
    private long _sotwConnections;
    private long _requests;
    private long _responses;
    private long _resourcesSent;
    private long _acks;
    private long _nacks;
    private long _staleNonces;
    private long _badRequests;
    private long _pushes;
    private long _pushLatencyMicros;

    public long DeltaConnections => Volatile.Read(ref _deltaConnections);

    public long SotwConnections => Volatile.Read(ref _sotwConnections);

    public long Requests => Volatile.Read(ref _requests);

    public long Responses => Volatile.Read(ref _responses);

    public long ResourcesSent => Volatile.Read(ref _resourcesSent);

    public long Acks => Volatile.Read(ref _acks);

    public long Nacks => Volatile.Read(ref _nacks);

    public long StaleNonces => Volatile.Read(ref _staleNonces);

    public long BadRequests => Volatile.Read(ref _badRequests);

    /// <summary>Responses that carried a hub push.</summary>
    public long Pushes => Volatile.Read(ref _pushes);

    /// <summary>Sum of push latencies (publish to written), in seconds.</summary>
    public double PushLatencySecondsSum => Volatile.Read(ref _pushLatencyMicros) / 1_000_000d;

    internal void ConnectionOpened(string protocol) =>
        Interlocked.Increment(ref protocol == DeltaConnection.ProtocolName ? ref _deltaConnections : ref _sotwConnections);

    internal void ConnectionClosed(string protocol) =>
        Interlocked.Decrement(ref protocol == DeltaConnection.ProtocolName ? ref _deltaConnections : ref _sotwConnections);

    internal void RequestReceived() => Interlocked.Increment(ref _requests);

    internal void ResponseSent(int resources)
    {
        Interlocked.Increment(ref _responses);
        Interlocked.Add(ref _resourcesSent, resources);
    }

    internal void AckReceived() => Interlocked.Increment(ref _acks);

    internal void NackReceived() => Interlocked.Increment(ref _nacks);

    internal void StaleNonce() => Interlocked.Increment(ref _staleNonces);

    internal void BadRequest() => Interlocked.Increment(ref _badRequests);

    internal void PushLatency(TimeSpan latency)
    {
        Interlocked.Increment(ref _pushes);
        Interlocked.Add(ref _pushLatencyMicros, (long)latency.TotalMicroseconds);
    }
}
