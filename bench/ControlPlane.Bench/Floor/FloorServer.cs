using System.Collections.Concurrent;
using System.Threading.Channels;
using ControlPlane.Testing;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Bench.Floor;

/// <summary>
/// The floor for the xDS benchmarks: a bare gRPC server-streaming service on the same kind of h2c
/// listener as the xDS port, writing whatever bytes it is handed to every open stream. Anything the
/// xDS server costs beyond this is the price of its logic.
/// </summary>
public sealed class FloorServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Streams _streams;

    private FloorServer(WebApplication app, int port)
    {
        _app = app;
        _streams = app.Services.GetRequiredService<Streams>();
        Address = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri Address { get; }

    public int OpenStreams => _streams.Writers.Count;

    /// <summary>When set, every new stream is first sent this (the floor of an initial sync).</summary>
    public ByteString? InitialPayload
    {
        get => _streams.InitialPayload;
        set => _streams.InitialPayload = value;
    }

    public static async Task<FloorServer> StartAsync()
    {
        var port = TestControlPlane.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc(o =>
        {
            o.MaxSendMessageSize = null;
            o.MaxReceiveMessageSize = null;
        });
        builder.Services.AddSingleton<Streams>();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.Http2.MaxStreamsPerConnection = 1000;
            k.Listen(System.Net.IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        app.MapGrpcService<Service>();
        await app.StartAsync().ConfigureAwait(false);
        return new FloorServer(app, port);
    }

    /// <summary>Queues one chunk for every open stream.</summary>
    public void Broadcast(ByteString payload)
    {
        var chunk = new FloorChunk { Payload = payload };
        foreach (var writer in _streams.Writers.Values)
        {
            writer.TryWrite(chunk);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var writer in _streams.Writers.Values)
        {
            writer.TryComplete();
        }
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The open streams, each fed through its own queue.</summary>
    private sealed class Streams
    {
        private long _next;

        public ConcurrentDictionary<long, ChannelWriter<FloorChunk>> Writers { get; } = new();

        public ByteString? InitialPayload { get; set; }

        public long Next() => Interlocked.Increment(ref _next);
    }

    private sealed class Service(Streams streams) : FloorService.FloorServiceBase
    {
        private static readonly FloorChunk Empty = new();

        public override async Task Echo(IAsyncStreamReader<FloorChunk> requestStream, IServerStreamWriter<FloorChunk> responseStream, ServerCallContext context)
        {
            try
            {
                while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
                {
                    await responseStream.WriteAsync(Empty, context.CancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        public override async Task Stream(FloorRequest request, IServerStreamWriter<FloorChunk> responseStream, ServerCallContext context)
        {
            var queue = Channel.CreateUnbounded<FloorChunk>(new UnboundedChannelOptions { SingleReader = true });
            if (streams.InitialPayload is { } initial)
            {
                queue.Writer.TryWrite(new FloorChunk { Payload = initial });
            }
            var id = streams.Next();
            streams.Writers[id] = queue.Writer;
            try
            {
                await foreach (var chunk in queue.Reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
                {
                    await responseStream.WriteAsync(chunk, context.CancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                streams.Writers.TryRemove(id, out _);
            }
        }
    }
}
