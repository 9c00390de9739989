using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;

namespace ControlPlane.Testing.Xds;

/// <summary>
/// The part of an ADS test client that does not depend on the protocol variant: one bidi stream, a
/// read loop queuing every response, and waits with clear failures (which type was expected, what came
/// instead, how the stream ended).
/// </summary>
public abstract class AdsTestStream<TRequest, TResponse> : IAsyncDisposable
    where TRequest : class, IMessage
    where TResponse : class, IMessage
{
    /// <summary>How long an expectation waits unless told otherwise (generous: CI machines are busy).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    private readonly AsyncDuplexStreamingCall<TRequest, TResponse> _call;
    private readonly Channel<TResponse> _responses = Channel.CreateUnbounded<TResponse>();
    private readonly TaskCompletionSource<Status> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Task _reader;

    protected AdsTestStream(AsyncDuplexStreamingCall<TRequest, TResponse> call)
    {
        _call = call;
        _reader = ReadAsync();
    }

    /// <summary>Responses received so far and not yet taken by an expectation (a counting channel: single-reader ones cannot count).</summary>
    public int Pending => _responses.Reader.Count;

    /// <summary>Completes with the stream's final status once the server ends it.</summary>
    public Task<Status> Closed => _closed.Task;

    /// <summary>
    /// Sends one request as is. A write that races the server ending the stream is dropped, as a real
    /// client's would be: the stream's status is then what <see cref="ExpectClosedAsync"/> and every
    /// expectation report.
    /// </summary>
    public async Task SendAsync(TRequest request)
    {
        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            await _call.RequestStream.WriteAsync(request).ConfigureAwait(false);
        }
        catch (RpcException)
        {
        }
        catch (InvalidOperationException) when (_closed.Task.IsCompleted)
        {
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Waits for the next response; when <paramref name="typeUrl"/> is given it must be of that type.</summary>
    public async Task<TResponse> ExpectResponseAsync(string? typeUrl = null, TimeSpan? timeout = null)
    {
        var wait = timeout ?? DefaultTimeout;
        using var deadline = new CancellationTokenSource(wait);
        TResponse response;
        try
        {
            if (!await _responses.Reader.WaitToReadAsync(deadline.Token).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"expected a {typeUrl ?? "response"} but the stream ended: {await DescribeEndAsync().ConfigureAwait(false)}");
            }
            _responses.Reader.TryRead(out response!);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"no {typeUrl ?? "response"} within {wait.TotalSeconds:0.#} s");
        }
        if (typeUrl is not null && TypeUrlOf(response) != typeUrl)
        {
            throw new InvalidOperationException($"expected a {typeUrl} response, got {TypeUrlOf(response)}: {response}");
        }
        return response;
    }

    /// <summary>Asserts that nothing arrives for <paramref name="quiet"/> (default 500 ms).</summary>
    public async Task ExpectNoResponseAsync(TimeSpan? quiet = null)
    {
        using var window = new CancellationTokenSource(quiet ?? TimeSpan.FromMilliseconds(500));
        try
        {
            if (await _responses.Reader.WaitToReadAsync(window.Token).ConfigureAwait(false) && _responses.Reader.TryPeek(out var response))
            {
                throw new InvalidOperationException($"expected no response, got {TypeUrlOf(response)}: {response}");
            }
        }
        catch (OperationCanceledException) when (window.IsCancellationRequested)
        {
        }
    }

    /// <summary>Waits for the server to end the stream and returns its status.</summary>
    public async Task<Status> ExpectClosedAsync(TimeSpan? timeout = null)
    {
        var wait = timeout ?? DefaultTimeout;
        try
        {
            return await _closed.Task.WaitAsync(wait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the stream was still open after {wait.TotalSeconds:0.#} s");
        }
    }

    /// <summary>Half-closes the request side, as a client does when it goes away cleanly.</summary>
    public Task CompleteAsync() => _call.RequestStream.CompleteAsync();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _call.Dispose();
        try
        {
            await _reader.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
        _writeGate.Dispose();
        GC.SuppressFinalize(this);
    }

    protected abstract string TypeUrlOf(TResponse response);

    private async Task ReadAsync()
    {
        try
        {
            while (await _call.ResponseStream.MoveNext(_stop.Token).ConfigureAwait(false))
            {
                _responses.Writer.TryWrite(_call.ResponseStream.Current);
            }
            _closed.TrySetResult(_call.GetStatus());
        }
        catch (RpcException ex)
        {
            _closed.TrySetResult(ex.Status);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            _closed.TrySetResult(new Status(StatusCode.Cancelled, "disposed by the test"));
        }
        finally
        {
            _responses.Writer.TryComplete();
        }
    }

    private async Task<string> DescribeEndAsync()
    {
        var status = await _closed.Task.ConfigureAwait(false);
        return $"{status.StatusCode}: {status.Detail}";
    }
}
