using Grpc.Core;
using Grpc.Net.Client;

namespace ControlPlane.Bench.Floor;

/// <summary>Reads one floor stream and reports every chunk received.</summary>
public sealed class FloorClient : IAsyncDisposable
{
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
        _call.Dispose();
        try
        {
            await _reader.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException)
        {
        }
        _stop.Dispose();
    }
}
