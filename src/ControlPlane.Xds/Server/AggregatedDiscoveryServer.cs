using ControlPlane.Xds.Hub;
using ControlPlane.Xds.Proxy;
using ControlPlane.Xds.Security;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Xds.Server;

/// <summary>
/// envoy.service.discovery.v3.AggregatedDiscoveryService: delta and state-of-the-world ADS. Streams
/// end cleanly when the host stops, so proxies reconnect (to another replica) at once.
/// </summary>
public sealed class AggregatedDiscoveryServer : AdsServiceBase
{
    private readonly XdsServices _services;
    private readonly IHostApplicationLifetime _lifetime;

    public AggregatedDiscoveryServer(
        XdsHub hub,
        ConnectionRegistry registry,
        XdsMetrics metrics,
        IScopeSelector scopeSelector,
        IStreamAuthorizer authorizer,
        IOptions<XdsOptions> options,
        IHostApplicationLifetime lifetime,
        ILogger<AggregatedDiscoveryServer> logger)
    {
        _services = new XdsServices(hub, registry, metrics, scopeSelector, authorizer, options.Value, logger);
        _lifetime = lifetime;
    }

    public override Task DeltaAggregatedResources(
        IAsyncStreamReader<DeltaRequest> requestStream,
        IServerStreamWriter<DeltaResponseFrame> responseStream,
        ServerCallContext context) =>
        RunAsync(new DeltaConnection(_services.Registry.NextId(), context.Peer, _services), requestStream, responseStream, context);

    public override Task StreamAggregatedResources(
        IAsyncStreamReader<DiscoveryRequest> requestStream,
        IServerStreamWriter<SotwResponseFrame> responseStream,
        ServerCallContext context) =>
        RunAsync(new SotwConnection(_services.Registry.NextId(), context.Peer, _services), requestStream, responseStream, context);

    private async Task RunAsync<TRequest, TResponse, TState>(
        XdsConnection<TRequest, TResponse, TState> connection,
        IAsyncStreamReader<TRequest> requests,
        IServerStreamWriter<TResponse> responses,
        ServerCallContext context)
        where TRequest : class
        where TResponse : class
        where TState : TypeState
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.ApplicationStopping, _services.Registry.Draining);
        await connection.RunAsync(requests, responses, context, stopping.Token).ConfigureAwait(false);
    }
}
