using System.Diagnostics;
using System.Threading.Channels;
using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Grpc.Core;

namespace ControlPlane.Bench.Load;

/// <summary>
/// A simulated ztunnel cheap enough to run a thousand of beside the server: opens a delta ADS stream,
/// subscribes wildcard (with <c>initial_resource_versions</c> when reconnecting), ACKs every response as
/// ztunnel does, and reads responses through <see cref="DeltaResponseView"/> without decoding resources.
/// With <c>trackVersions</c> it also keeps name → version per type, for reconnect scenarios. Requests are
/// encoded before the call starts (<see cref="StartedAt"/>), so a timed reconnect does not count the
/// client's own encoding of a large <c>initial_resource_versions</c>. Responses are taken off the stream
/// by one loop and handled by another, so the time a response arrived never includes the client's
/// handling of the one before it (a 40 MB Address response took it 10-20 ms).
/// </summary>
public sealed class LightDeltaClient : IAsyncDisposable
{
    private static readonly Method<byte[], Received> DeltaMethod = new(
        MethodType.DuplexStreaming,
        "envoy.service.discovery.v3.AggregatedDiscoveryService",
        "DeltaAggregatedResources",
        Marshallers.Create(static bytes => bytes, static bytes => bytes),
        new Marshaller<Received>(
            static (_, _) => throw new NotSupportedException("the load client only receives responses"),
            static context => new Received(context.PayloadAsNewBuffer(), Stopwatch.GetTimestamp())));

    private readonly AsyncDuplexStreamingCall<byte[], Received> _call;
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Channel<byte[]> _acks = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, TaskCompletionSource> _initial = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long At, int Resources, int Removed, int Bytes)> _initialResponses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, string>>? _versions;
    private readonly Action<LightDeltaClient, DeltaResponseView>? _onResponse;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private readonly Task _handler;
    private readonly Task _writer;
    private long _responses;
    private long _resources;
    private long _bytes;

    private LightDeltaClient(
        CallInvoker invoker,
        Node node,
        IReadOnlyList<string> typeUrls,
        Action<LightDeltaClient, DeltaResponseView>? onResponse,
        IReadOnlyDictionary<string, Dictionary<string, string>>? initialVersions,
        bool trackVersions,
        int id)
    {
        Id = id;
        _onResponse = onResponse;
        _versions = trackVersions ? new(StringComparer.Ordinal) : null;
        for (var i = 0; i < typeUrls.Count; i++)
        {
            var request = new DeltaDiscoveryRequest { TypeUrl = typeUrls[i], Node = i == 0 ? node : null };
            if (initialVersions?.GetValueOrDefault(typeUrls[i]) is { } held)
            {
                request.InitialResourceVersions.Add(held);
            }
            _initial[typeUrls[i]] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var encoded = request.ToByteArray();
            RequestBytes += encoded.Length;
            _acks.Writer.TryWrite(encoded);
        }
        Initial = Task.WhenAll(_initial.Values.Select(t => t.Task));
        StartedAt = Stopwatch.GetTimestamp();
        _call = invoker.AsyncDuplexStreamingCall(DeltaMethod, null, new CallOptions(cancellationToken: _stop.Token));
        _writer = WriteAsync();
        _reader = ReadAsync();
        _handler = HandleAsync();
    }

    /// <summary>The caller's number for this client (e.g. its index in a fleet).</summary>
    public int Id { get; }

    /// <summary>Completes when every subscribed type got its first response.</summary>
    public Task Initial { get; }

    public long Responses => Interlocked.Read(ref _responses);

    public long Resources => Interlocked.Read(ref _resources);

    public long BytesReceived => Interlocked.Read(ref _bytes);

    /// <summary>When the call was started, after the initial requests were encoded (<see cref="Stopwatch"/> ticks).</summary>
    public long StartedAt { get; }

    /// <summary>Size of the encoded initial requests.</summary>
    public long RequestBytes { get; }

    /// <summary>
    /// The first response of each subscribed type: when it arrived (<see cref="Stopwatch"/> ticks), its
    /// resources, removals and bytes. Complete once <see cref="Initial"/> is.
    /// </summary>
    public IReadOnlyDictionary<string, (long At, int Resources, int Removed, int Bytes)> InitialResponses
    {
        get
        {
            lock (_initialResponses)
            {
                return new Dictionary<string, (long, int, int, int)>(_initialResponses, StringComparer.Ordinal);
            }
        }
    }
    public static LightDeltaClient Start(
        CallInvoker invoker,
        Node node,
        IReadOnlyList<string> typeUrls,
        Action<LightDeltaClient, DeltaResponseView>? onResponse = null,
        IReadOnlyDictionary<string, Dictionary<string, string>>? initialVersions = null,
        bool trackVersions = false,
        int id = 0) =>
        new(invoker, node, typeUrls, onResponse, initialVersions, trackVersions, id);

    /// <summary>What the client holds for a type (only with trackVersions).</summary>
    public Dictionary<string, string> Held(string typeUrl)
    {
        lock (_stop)
        {
            return _versions?.GetValueOrDefault(typeUrl) is { } held
                ? new Dictionary<string, string>(held, StringComparer.Ordinal)
                : new Dictionary<string, string>(StringComparer.Ordinal);
        }
    }

    /// <summary>Takes responses off the stream as they arrive.</summary>
    private async Task ReadAsync()
    {
        try
        {
            while (await _call.ResponseStream.MoveNext(_stop.Token).ConfigureAwait(false))
            {
                _received.Writer.TryWrite(_call.ResponseStream.Current);
            }
            _received.Writer.TryComplete();
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled } && _stop.IsCancellationRequested)
        {
            _received.Writer.TryComplete();
        }
        catch (Exception ex)
        {
            _received.Writer.TryComplete(ex);
            throw;
        }
    }

    private async Task HandleAsync()
    {
        try
        {
            await foreach (var received in _received.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                var view = DeltaResponseView.Parse(received.Payload, received.At);
                Interlocked.Increment(ref _responses);
                Interlocked.Add(ref _resources, view.ResourceCount);
                Interlocked.Add(ref _bytes, view.Bytes);
                if (_versions is not null)
                {
                    Track(view);
                }
                _onResponse?.Invoke(this, view);
                _acks.Writer.TryWrite(new DeltaDiscoveryRequest { TypeUrl = view.TypeUrl, ResponseNonce = view.Nonce }.ToByteArray());
                if (_initial.TryGetValue(view.TypeUrl, out var initial) && !initial.Task.IsCompleted)
                {
                    lock (_initialResponses)
                    {
                        _initialResponses.TryAdd(view.TypeUrl, (view.ReceivedAt, view.ResourceCount, view.RemovedCount, view.Bytes));
                    }
                    initial.TrySetResult();
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            foreach (var initial in _initial.Values)
            {
                initial.TrySetException(ex);
            }
            throw;
        }
        finally
        {
            _acks.Writer.TryComplete();
        }
    }

    private async Task WriteAsync()
    {
        try
        {
            await foreach (var request in _acks.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                await _call.RequestStream.WriteAsync(request, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException or InvalidOperationException && _stop.IsCancellationRequested)
        {
        }
    }

    private void Track(DeltaResponseView view)
    {
        lock (_stop)
        {
            TrackLocked(view);
        }
    }

    private void TrackLocked(DeltaResponseView view)
    {
        if (!_versions!.TryGetValue(view.TypeUrl, out var held))
        {
            held = new Dictionary<string, string>(StringComparer.Ordinal);
            _versions[view.TypeUrl] = held;
        }
        foreach (var (name, version) in view.ReadVersions())
        {
            held[name] = version;
        }
        foreach (var name in view.ReadRemoved())
        {
            held.Remove(name);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_reader, _handler, _writer).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException)
        {
        }
        // Only now: disposing the call under a reader that is still in MoveNext makes it throw ObjectDisposedException.
        _call.Dispose();
        _stop.Dispose();
    }

    /// <summary>A response as it came off the stream, and when (<see cref="Stopwatch"/> ticks).</summary>
    private sealed record Received(byte[] Payload, long At);
}
