using Grpc.Core;
using Grpc.Net.Client;

namespace ControlPlane.Xds.Tests.Server;

/// <summary>A delta ADS call that sends arbitrary bytes as requests, to feed the server garbage.</summary>
public static class RawAdsCall
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(static b => b, static b => b);

    private static readonly Method<byte[], byte[]> Delta = new(
        MethodType.DuplexStreaming, "envoy.service.discovery.v3.AggregatedDiscoveryService", "DeltaAggregatedResources", Bytes, Bytes);

    public static AsyncDuplexStreamingCall<byte[], byte[]> Start(GrpcChannel channel) =>
        channel.CreateCallInvoker().AsyncDuplexStreamingCall(Delta, null, new CallOptions());

    /// <summary>Reads until the server ends the call and returns its status.</summary>
    public static async Task<Status> ReadToEndAsync(AsyncDuplexStreamingCall<byte[], byte[]> call)
    {
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (await call.ResponseStream.MoveNext(deadline.Token))
            {
            }
            return call.GetStatus();
        }
        catch (RpcException ex)
        {
            return ex.Status;
        }
    }
}
