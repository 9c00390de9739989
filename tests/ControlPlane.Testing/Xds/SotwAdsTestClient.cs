using Node = Envoy.Config.Core.V3.Node;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Grpc.Net.Client;

namespace ControlPlane.Testing.Xds;

/// <summary>
/// A state-of-the-world ADS client for tests that behaves like gRPC's and Envoy's: the node goes on the
/// first request, a type is requested by name (or with no names = wildcard for LDS/CDS), an ACK repeats
/// the names with the accepted <c>version_info</c>, a NACK carries the last accepted version and an error.
/// </summary>
public sealed class SotwAdsTestClient : AdsTestStream<DiscoveryRequest, DiscoveryResponse>
{
    private readonly Dictionary<string, List<string>> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _acceptedVersions = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private bool _nodeSent;

    private SotwAdsTestClient(AsyncDuplexStreamingCall<DiscoveryRequest, DiscoveryResponse> call, Node node)
        : base(call) => Node = node;

    public Node Node { get; }

    public static SotwAdsTestClient Connect(GrpcChannel channel, Node node, Metadata? headers = null)
    {
        var client = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel);
        return new SotwAdsTestClient(client.StreamAggregatedResources(headers), node);
    }

    /// <summary>(Re)requests a type with exactly these names (none = wildcard where the type allows it).</summary>
    public Task RequestAsync(string typeUrl, params string[] names)
    {
        string version;
        lock (_gate)
        {
            _names[typeUrl] = [.. names];
            version = _acceptedVersions.GetValueOrDefault(typeUrl, string.Empty);
        }
        var request = new DiscoveryRequest { TypeUrl = typeUrl, VersionInfo = version };
        request.ResourceNames.AddRange(names);
        return SendRequestAsync(request);
    }

    /// <summary>Sends a request, adding the node if the stream has not carried it yet.</summary>
    public Task SendRequestAsync(DiscoveryRequest request)
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

    /// <summary>Accepts a response: repeats the subscribed names with its version and nonce.</summary>
    public Task AckAsync(DiscoveryResponse response)
    {
        var request = new DiscoveryRequest { TypeUrl = response.TypeUrl, VersionInfo = response.VersionInfo, ResponseNonce = response.Nonce };
        lock (_gate)
        {
            _acceptedVersions[response.TypeUrl] = response.VersionInfo;
            request.ResourceNames.AddRange(_names.GetValueOrDefault(response.TypeUrl) ?? []);
        }
        return SendAsync(request);
    }

    /// <summary>Rejects a response: the last accepted version stays, the error goes in <c>error_detail</c>.</summary>
    public Task NackAsync(DiscoveryResponse response, string message)
    {
        var request = new DiscoveryRequest
        {
            TypeUrl = response.TypeUrl,
            ResponseNonce = response.Nonce,
            ErrorDetail = new Google.Rpc.Status { Code = (int)StatusCode.InvalidArgument, Message = message },
        };
        lock (_gate)
        {
            request.VersionInfo = _acceptedVersions.GetValueOrDefault(response.TypeUrl, string.Empty);
            request.ResourceNames.AddRange(_names.GetValueOrDefault(response.TypeUrl) ?? []);
        }
        return SendAsync(request);
    }

    /// <summary>Waits for the next response of <paramref name="typeUrl"/> and acknowledges it.</summary>
    public async Task<DiscoveryResponse> ExpectAndAckAsync(string? typeUrl = null, TimeSpan? timeout = null)
    {
        var response = await ExpectResponseAsync(typeUrl, timeout).ConfigureAwait(false);
        await AckAsync(response).ConfigureAwait(false);
        return response;
    }

    /// <summary>The <c>version_info</c> last accepted for a type ("" before any).</summary>
    public string AcceptedVersion(string typeUrl)
    {
        lock (_gate)
        {
            return _acceptedVersions.GetValueOrDefault(typeUrl, string.Empty);
        }
    }

    protected override string TypeUrlOf(DiscoveryResponse response) => response.TypeUrl;
}
