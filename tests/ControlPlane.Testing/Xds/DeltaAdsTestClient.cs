using ControlPlane.Xds;
using Node = Envoy.Config.Core.V3.Node;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Grpc.Net.Client;

namespace ControlPlane.Testing.Xds;

/// <summary>
/// A delta ADS client for tests that behaves like ztunnel's: the node goes on the first request of the
/// stream, every response is answered with an ACK or a NACK, and it remembers what it holds (name →
/// version) so a reconnect can send <c>initial_resource_versions</c>. A NACK keeps the rejected
/// resources out of what it holds, as ztunnel does.
/// </summary>
public sealed class DeltaAdsTestClient : AdsTestStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>
{
    private readonly Dictionary<string, Dictionary<string, string>> _held = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private bool _nodeSent;

    private DeltaAdsTestClient(AsyncDuplexStreamingCall<DeltaDiscoveryRequest, DeltaDiscoveryResponse> call, Node node)
        : base(call) => Node = node;

    public Node Node { get; }

    /// <summary>Opens a stream. <paramref name="headers"/> go on the call (e.g. authorization, clusterid).</summary>
    public static DeltaAdsTestClient Connect(GrpcChannel channel, Node node, Metadata? headers = null)
    {
        var client = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel);
        return new DeltaAdsTestClient(client.DeltaAggregatedResources(headers), node);
    }

    /// <summary>
    /// Opens a stream and sends ztunnel's two initial requests (Address, then Authorization), wildcard,
    /// with the versions <paramref name="previous"/> holds when reconnecting.
    /// </summary>
    public static async Task<DeltaAdsTestClient> ConnectZtunnelAsync(GrpcChannel channel, Node node, DeltaAdsTestClient? previous = null, Metadata? headers = null)
    {
        var client = Connect(channel, node, headers);
        foreach (var typeUrl in new[] { TypeUrls.Address, TypeUrls.Authorization })
        {
            await client.SubscribeAsync(typeUrl, initialResourceVersions: previous?.Held(typeUrl)).ConfigureAwait(false);
        }
        return client;
    }

    /// <summary>
    /// Sends a (un)subscription for a type. With no names at all on the first request of a type this is
    /// the wildcard subscription.
    /// </summary>
    public Task SubscribeAsync(
        string typeUrl,
        IEnumerable<string>? subscribe = null,
        IEnumerable<string>? unsubscribe = null,
        IReadOnlyDictionary<string, string>? initialResourceVersions = null)
    {
        var request = new DeltaDiscoveryRequest { TypeUrl = typeUrl };
        request.ResourceNamesSubscribe.AddRange(subscribe ?? []);
        request.ResourceNamesUnsubscribe.AddRange(unsubscribe ?? []);
        if (initialResourceVersions is not null)
        {
            foreach (var (name, version) in initialResourceVersions)
            {
                request.InitialResourceVersions[name] = version;
            }
        }
        return SendRequestAsync(request);
    }

    /// <summary>Sends a request, adding the node if the stream has not carried it yet.</summary>
    public Task SendRequestAsync(DeltaDiscoveryRequest request)
    {
        lock (_gate)
        {
            if (!_nodeSent)
            {
                request.Node ??= Node;
                _nodeSent = true;
            }
        }
        return SendAsync(request);
    }

    /// <summary>Accepts a response: its resources are now held and its removals forgotten.</summary>
    public Task AckAsync(DeltaDiscoveryResponse response)
    {
        Apply(response, rejected: []);
        return SendAsync(new DeltaDiscoveryRequest { TypeUrl = response.TypeUrl, ResponseNonce = response.Nonce });
    }

    /// <summary>
    /// Rejects a response as ztunnel does: <paramref name="rejected"/> resources are not held, the others
    /// of the same response are applied, and the error goes back in <c>error_detail</c>.
    /// </summary>
    public Task NackAsync(DeltaDiscoveryResponse response, string message, params string[] rejected)
    {
        Apply(response, rejected);
        return SendAsync(new DeltaDiscoveryRequest
        {
            TypeUrl = response.TypeUrl,
            ResponseNonce = response.Nonce,
            ErrorDetail = new Google.Rpc.Status { Code = (int)StatusCode.InvalidArgument, Message = message },
        });
    }

    /// <summary>Waits for the next response of <paramref name="typeUrl"/> and acknowledges it.</summary>
    public async Task<DeltaDiscoveryResponse> ExpectAndAckAsync(string? typeUrl = null, TimeSpan? timeout = null)
    {
        var response = await ExpectResponseAsync(typeUrl, timeout).ConfigureAwait(false);
        await AckAsync(response).ConfigureAwait(false);
        return response;
    }

    /// <summary>What the client holds for a type: name → version of every accepted resource.</summary>
    public IReadOnlyDictionary<string, string> Held(string typeUrl)
    {
        lock (_gate)
        {
            return _held.TryGetValue(typeUrl, out var held)
                ? new Dictionary<string, string>(held, StringComparer.Ordinal)
                : new Dictionary<string, string>(StringComparer.Ordinal);
        }
    }

    protected override string TypeUrlOf(DeltaDiscoveryResponse response) => response.TypeUrl;

    private void Apply(DeltaDiscoveryResponse response, string[] rejected)
    {
        lock (_gate)
        {
            if (!_held.TryGetValue(response.TypeUrl, out var held))
            {
                held = new Dictionary<string, string>(StringComparer.Ordinal);
                _held[response.TypeUrl] = held;
            }
            foreach (var resource in response.Resources)
            {
                if (Array.IndexOf(rejected, resource.Name) < 0)
                {
                    held[resource.Name] = resource.Version;
                }
            }
            foreach (var name in response.RemovedResources)
            {
                held.Remove(name);
            }
        }
    }
}
