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
    : XdsConnection<DiscoveryRequest, SotwResponseFrame, SotwTypeState>(id, peer, services)
{
    public const string ProtocolName = "sotw";

    public override string Protocol => ProtocolName;

    protected override SotwTypeState CreateState(string typeUrl, ResourceTable table) => new(typeUrl, table);

    protected override void Initialize(SotwTypeState state, DiscoveryRequest request)
    {
        // An empty first request for a wildcard-capable type is the legacy wildcard (xDS spec).
        state.LegacyWildcard = request.ResourceNames.Count == 0 && TypeUrls.IsWildcardCapable(state.TypeUrl);
        ApplySubscription(state, request);
    }

    /// <summary>
    /// Every request carries the whole subscription: it changed when the set of names (or wildcard)
    /// differs. Compared as sets, so a client repeating a name is not answered on every ACK. An empty list
    /// is a wildcard only while the stream has sent nothing but empty lists for the type since its first
    /// request; after names, it unsubscribes from everything.
    /// </summary>
    protected override bool ApplySubscription(SotwTypeState state, DiscoveryRequest request)
    {
        var names = request.ResourceNames;
        var star = names.Contains("*");
        state.LegacyWildcard &= names.Count == 0;
        var wildcard = star || state.LegacyWildcard;
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

    protected override SotwResponseFrame? Build(SotwTypeState state)
    {
        IReadOnlyList<XdsResource> resources;
        ulong fingerprint = 0;
        var resourceBytes = DeltaResponseFrame.Unknown;
        if (state.Wildcard)
        {
            // Every wildcard stream of the table sends the same shared snapshot.
            var snapshot = state.Table.Snapshot();
            resources = snapshot.Resources;
            fingerprint = snapshot.Fingerprint;
            resourceBytes = snapshot.EncodedAnyBytes;
        }
        else
        {
            var named = new List<XdsResource>(state.Names.Count);
            foreach (var name in state.Names)
            {
                if (state.Table.TryGet(name, out var resource))
                {
                    named.Add(resource);
                    fingerprint = unchecked(fingerprint + resource.Fingerprint);
                }
            }
            resources = named;
        }
        var version = fingerprint.ToString("x16", CultureInfo.InvariantCulture);
        state.Changed = false;
        state.FullResync = false;
        if (!state.MustRespond && version == state.SentVersionInfo)
        {
            return null;
        }
        state.MustRespond = false;
        var frame = new SotwResponseFrame(state.TypeUrl, version, NextNonce(), resources, resourceBytes);
        state.SentVersionInfo = version;
        state.LastNonce = frame.Nonce;
        return frame;
    }

    protected override string TypeUrlOf(DiscoveryRequest request) => request.TypeUrl;

    protected override string NonceOf(DiscoveryRequest request) => request.ResponseNonce;

    protected override Google.Rpc.Status? ErrorOf(DiscoveryRequest request) => request.ErrorDetail;

    protected override Node? NodeOf(DiscoveryRequest request) => request.Node;

    protected override string VersionInfoOf(DiscoveryRequest request) => request.VersionInfo;

    protected override int NameCountOf(DiscoveryRequest request) => request.ResourceNames.Count;

    protected override int ResourceCountOf(SotwResponseFrame response) => response.Resources.Count;
}
