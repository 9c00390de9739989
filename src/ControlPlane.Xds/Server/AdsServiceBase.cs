using Envoy.Service.Discovery.V3;
using Grpc.Core;

namespace ControlPlane.Xds.Server;

/// <summary>
/// envoy.service.discovery.v3.AggregatedDiscoveryService bound with the server's own response
/// marshallers (<see cref="AdsMethods"/>) in place of the generated ones: Grpc.AspNetCore finds
/// <see cref="BindService"/> through <see cref="BindServiceMethodAttribute"/>, as it does for generated bases.
/// </summary>
[BindServiceMethod(typeof(AdsServiceBase), nameof(BindService))]
public abstract class AdsServiceBase
{
    public abstract Task StreamAggregatedResources(
        IAsyncStreamReader<DiscoveryRequest> requestStream,
        IServerStreamWriter<SotwResponseFrame> responseStream,
        ServerCallContext context);

    public abstract Task DeltaAggregatedResources(
        IAsyncStreamReader<DeltaRequest> requestStream,
        IServerStreamWriter<DeltaResponseFrame> responseStream,
        ServerCallContext context);

    /// <summary>Registers both methods; <paramref name="service"/> is null when only the methods are discovered.</summary>
    public static void BindService(ServiceBinderBase serviceBinder, AdsServiceBase? service)
    {
        ArgumentNullException.ThrowIfNull(serviceBinder);
        serviceBinder.AddMethod(
            AdsMethods.StreamAggregatedResources,
            service is null ? null : new DuplexStreamingServerMethod<DiscoveryRequest, SotwResponseFrame>(service.StreamAggregatedResources));
        serviceBinder.AddMethod(
            AdsMethods.DeltaAggregatedResources,
            service is null ? null : new DuplexStreamingServerMethod<DeltaRequest, DeltaResponseFrame>(service.DeltaAggregatedResources));
    }
}
