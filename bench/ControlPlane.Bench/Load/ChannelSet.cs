using Grpc.Net.Client;

namespace ControlPlane.Bench.Load;

/// <summary>
/// Several HTTP/2 connections to one server, handed out round-robin, so a simulated fleet does not
/// squeeze a thousand streams through one socket (real proxies each have their own connection).
/// </summary>
public sealed class ChannelSet : IDisposable
{
    private readonly GrpcChannel[] _channels;

    public ChannelSet(Uri address, int streams, int streamsPerConnection = 50)
    {
        var count = Math.Max(1, (streams + streamsPerConnection - 1) / streamsPerConnection);
        _channels = new GrpcChannel[count];
        for (var i = 0; i < count; i++)
        {
            _channels[i] = GrpcChannel.ForAddress(address, new GrpcChannelOptions
            {
                MaxReceiveMessageSize = null,
                MaxSendMessageSize = null,
                HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
            });
        }
    }

    public GrpcChannel For(int stream) => _channels[stream % _channels.Length];

    public void Dispose()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }
}
