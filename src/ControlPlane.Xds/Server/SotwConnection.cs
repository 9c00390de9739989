using System.Globalization;
using ControlPlane.Xds.Resources;
using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;

namespace ControlPlane.Xds.Server;

/// <summary>
/// State-of-the-world ADS (StreamAggregatedResources), as gRPC's proxyless client uses it: every
/// response carries the full set of subscribed resources of its type, versioned by content; removal
/// is by omission.
/// </summary>
internal sealed class SotwConnection(string id, string peer, XdsServices services)
    : XdsConnection<DiscoveryRequest, DiscoveryResponse, SotwTypeState>(id, peer, services)
{
    public const string ProtocolName = "sotw";

    public override string Protocol => ProtocolName;

    protected override SotwTypeState CreateState(string typeUrl, ResourceTable table) => new(typeUrl, table);

    protected override void Initialize(SotwTypeState state, DiscoveryRequest request) => ApplySubscription(state, request);

    /// <summary>
    /// Every request carries the whole subscription: it changed when the set of names (or wildcard)
    /// differs. Compared as sets, so a client repeating a name is not answered on every ACK.
    /// </summary>
    protected override bool ApplySubscription(SotwTypeState state, DiscoveryRequest request)
    {
        var names = request.ResourceNames;
        var star = names.Contains("*");
        var wildcard = star || (names.Count == 0 && TypeUrls.IsWildcardCapable(state.TypeUrl));
        var requested = new HashSet<string>(names, StringComparer.Ordinal);
        requested.Remove("*");
        if (wildcard == state.Wildcard && requested.SetEquals(state.Names))
        {
            return false;
        }
        state.Wildcard = wildcard;
        state.Names.Clear();
        state.Names.UnionWith(requested);
        state.MustRespond = true;
        return true;
    }

    /// <summary>Ignored whole: the client repeats its full subscription when it ACKs the latest response.</summary>
    protected override bool ApplyStale(SotwTypeState state, DiscoveryRequest request) => false;

    protected override DiscoveryResponse? Build(SotwTypeState state)
    {
        var resources = new List<XdsResource>();
        ulong fingerprint = 0;
        if (state.Wildcard)
        {
            foreach (var resource in state.Table.All)
            {
                resources.Add(resource);
                fingerprint = unchecked(fingerprint + resource.Fingerprint);
            }
        }
        else
        {
            foreach (var name in state.Names)
            {
                if (state.Table.TryGet(name, out var resource))
                {
                    resources.Add(resource);
                    fingerprint = unchecked(fingerprint + resource.Fingerprint);
                }
            }
        }
        var version = fingerprint.ToString("x16", CultureInfo.InvariantCulture);
        state.Dirty.Clear();
        state.FullResync = false;
        if (!state.MustRespond && version == state.SentVersionInfo)
        {
            return null;
        }
        state.MustRespond = false;
        var response = new DiscoveryResponse
        {
            TypeUrl = state.TypeUrl,
            VersionInfo = version,
            Nonce = NextNonce(),
            ControlPlane = ControlPlaneIdentifier,
        };
        foreach (var resource in resources)
        {
            response.Resources.Add(resource.Any);
        }
        state.SentVersionInfo = version;
        state.LastNonce = response.Nonce;
        return response;
    }

    protected override string TypeUrlOf(DiscoveryRequest request) => request.TypeUrl;

    protected override string NonceOf(DiscoveryRequest request) => request.ResponseNonce;

    protected override Google.Rpc.Status? ErrorOf(DiscoveryRequest request) => request.ErrorDetail;

    protected override Node? NodeOf(DiscoveryRequest request) => request.Node;

    protected override string VersionInfoOf(DiscoveryRequest request) => request.VersionInfo;

    protected override int NameCountOf(DiscoveryRequest request) => request.ResourceNames.Count;

    protected override int ResourceCountOf(DiscoveryResponse response) => response.Resources.Count;

    private static readonly Envoy.Config.Core.V3.ControlPlane ControlPlaneIdentifier = new() { Identifier = "controlplane" };
}
