using System.Buffers;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Grpc.Core;

namespace ControlPlane.Xds.Server;

/// <summary>
/// The two ADS methods as the server binds them: requests are decoded by the generated parsers (a delta
/// request's initial_resource_versions is left encoded), responses are written from pre-encoded frames.
/// Same service and method names as the generated AggregatedDiscoveryService, so clients see no difference.
/// </summary>
internal static class AdsMethods
{
    public static readonly string ServiceName = AggregatedDiscoveryService.Descriptor.FullName;

    public static readonly Method<DiscoveryRequest, SotwResponseFrame> StreamAggregatedResources = new(
        MethodType.DuplexStreaming,
        ServiceName,
        nameof(StreamAggregatedResources),
        RequestMarshaller(DiscoveryRequest.Parser),
        ResponseMarshaller<SotwResponseFrame>(static frame => frame.CalculateSize(), static (frame, output) => frame.WriteTo(output)));

    public static readonly Method<DeltaRequest, DeltaResponseFrame> DeltaAggregatedResources = new(
        MethodType.DuplexStreaming,
        ServiceName,
        nameof(DeltaAggregatedResources),
        new Marshaller<DeltaRequest>(
            static (_, _) => throw new NotSupportedException("delta requests are read by the server, never written"),
            static context => DeltaRequest.Parse(context.PayloadAsReadOnlySequence())),
        ResponseMarshaller<DeltaResponseFrame>(static frame => frame.CalculateSize(), static (frame, output) => frame.WriteTo(output)));

    private static Marshaller<T> ResponseMarshaller<T>(Func<T, int> calculateSize, Action<T, IBufferWriter<byte>> writeTo) =>
        new(
            (frame, context) =>
            {
                context.SetPayloadLength(calculateSize(frame));
                writeTo(frame, context.GetBufferWriter());
                context.Complete();
            },
            static _ => throw new NotSupportedException("response frames are written by the server, never read"));

    private static Marshaller<T> RequestMarshaller<T>(MessageParser<T> parser)
        where T : IMessage<T>, IBufferMessage =>
        new(
            static (message, context) =>
            {
                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context => parser.ParseFrom(context.PayloadAsReadOnlySequence()));
}
