using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace ControlPlane.Bench.Floor;

/// <summary>Reads one floor stream and reports every chunk received.</summary>
public sealed class FloorClient : IAsyncDisposable
{
    private static readonly Method<byte[], byte[]> EchoMethod = new(
        MethodType.DuplexStreaming, "controlplane.bench.FloorService", "Echo",
        Marshallers.Create(static bytes => bytes, static bytes => bytes),
        Marshallers.Create(static bytes => bytes, static bytes => bytes));

    private readonly AsyncServerStreamingCall<FloorChunk> _call;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;

    private FloorClient(GrpcChannel channel, int id, Action<FloorClient, int> onChunk)
    {
        Id = id;
        _call = new FloorService.FloorServiceClient(channel).Stream(new FloorRequest(), cancellationToken: _stop.Token);
        _reader = ReadAsync(onChunk);
    }

    public int Id { get; }

    /// <summary>Starts a stream; <paramref name="onChunk"/> gets the payload size of each chunk.</summary>
    public static FloorClient Start(GrpcChannel channel, int id, Action<FloorClient, int> onChunk) => new(channel, id, onChunk);

    /// <summary>
    /// Opens an Echo call, sends one chunk carrying <paramref name="payloadBytes"/> bytes (encoded before
    /// the clock starts, as the xDS load client does) and waits for the answer: the floor of a
    /// stream-opening request/response exchange of that size. Returns the milliseconds taken.
    /// </summary>
    public static async Task<double> EchoAsync(GrpcChannel channel, int payloadBytes, CancellationToken cancellationToken)
    {
        var request = new FloorChunk { Payload = UnsafeByteOperations.UnsafeWrap(new byte[payloadBytes]) }.ToByteArray();
        var started = Stopwatch.GetTimestamp();
        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(EchoMethod, null, new CallOptions(cancellationToken: cancellationToken));
        await call.RequestStream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        if (!await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException("the floor's echo call ended without an answer");
        }
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        return elapsed;
    }

    private async Task ReadAsync(Action<FloorClient, int> onChunk)
    {
        try
        {
            while (await _call.ResponseStream.MoveNext(_stop.Token).ConfigureAwait(false))
            {
                onChunk(this, _call.ResponseStream.Current.Payload.Length);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException && _stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _reader.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException)
        {
        }
        // Only now: disposing the call under a reader that is still in MoveNext makes it throw ObjectDisposedException.
        _call.Dispose();
        _stop.Dispose();
    }
}
