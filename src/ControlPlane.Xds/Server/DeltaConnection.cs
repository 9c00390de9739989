using ControlPlane.Xds.Resources;
using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;

namespace ControlPlane.Xds.Server;

/// <summary>
/// Incremental ADS (DeltaAggregatedResources), as ztunnel and Envoy use it: wildcard or named
/// subscriptions, initial_resource_versions on reconnect, only changed resources and removals pushed.
/// </summary>
internal sealed class DeltaConnection(string id, string peer, XdsServices services)
    : XdsConnection<DeltaDiscoveryRequest, DeltaResponseFrame, DeltaTypeState>(id, peer, services)
{
    public const string ProtocolName = "delta";

    public override string Protocol => ProtocolName;

    protected override DeltaTypeState CreateState(string typeUrl, ResourceTable table) => new(typeUrl, table);

    protected override void Initialize(DeltaTypeState state, DeltaDiscoveryRequest request)
    {
        // Never having subscribed to anything means wildcard; "*" subscribe + "*" unsubscribe means nothing.
        state.Wildcard = request.ResourceNamesSubscribe.Count == 0;
        ApplySubscription(state, request);
        foreach (var (name, version) in request.InitialResourceVersions)
        {
            state.Sent[name] = version;
            // A reconnecting client names what it holds in both lists: compared by version, not resent.
            state.Requested.Remove(name);
            if (!state.Wildcard)
            {
                state.Names.Add(name);
            }
        }
    }

    protected override bool ApplySubscription(DeltaTypeState state, DeltaDiscoveryRequest request)
    {
        var changed = false;
        foreach (var name in request.ResourceNamesSubscribe)
        {
            if (name == "*")
            {
                if (!state.Wildcard)
                {
                    state.Wildcard = true;
                    state.FullResync = true;
                    changed = true;
                }
            }
            else
            {
                // Answered even if the client holds it already: it may have dropped it and regained
                // interest before unsubscribing (discovery.proto, resource_names_subscribe).
                state.Names.Add(name);
                state.Requested.Add(name);
                state.Dirty.Add(name);
                changed = true;
            }
        }
        foreach (var name in request.ResourceNamesUnsubscribe)
        {
            if (name == "*")
            {
                if (state.Wildcard)
                {
                    state.Wildcard = false;
                    // The client drops what it no longer subscribes to; forget it without removals.
                    foreach (var held in state.Sent.Keys.ToList())
                    {
                        if (!state.Names.Contains(held))
                        {
                            state.Sent.Remove(held);
                        }
                    }
                }
            }
            else if (state.Names.Remove(name) && !state.Wildcard)
            {
                state.Sent.Remove(name);
                state.Requested.Remove(name);
                state.Dirty.Remove(name);
            }
        }
        return changed;
    }

    /// <summary>
    /// Subscription changes are deltas, and Envoy puts pending ones on its next ACK: dropping them because
    /// that ACK is outdated would lose them for good. A stale request still (un)subscribes.
    /// </summary>
    protected override bool ApplyStale(DeltaTypeState state, DeltaDiscoveryRequest request) => ApplySubscription(state, request);

    protected override DeltaResponseFrame? Build(DeltaTypeState state)
    {
        var resources = new List<XdsResource>();
        var removed = new List<string>();
        if (state.FullResync)
        {
            if (state.Wildcard)
            {
                foreach (var resource in state.Table.All)
                {
                    Offer(state, resources, resource, force: state.Requested.Remove(resource.Name));
                }
            }
            else
            {
                foreach (var name in state.Names)
                {
                    Consider(state, resources, removed, name);
                }
            }
            // What the client holds but the server no longer has (or no longer sends it).
            List<string>? gone = null;
            foreach (var name in state.Sent.Keys)
            {
                if (!state.IsSubscribed(name) || !state.Table.TryGet(name, out _))
                {
                    (gone ??= []).Add(name);
                }
            }
            if (gone is not null)
            {
                foreach (var name in gone)
                {
                    state.Sent.Remove(name);
                    removed.Add(name);
                }
            }
        }
        foreach (var name in state.Dirty)
        {
            Consider(state, resources, removed, name);
        }
        state.Dirty.Clear();
        state.Requested.Clear();
        state.FullResync = false;
        if (resources.Count == 0 && removed.Count == 0 && !state.MustRespond)
        {
            return null;
        }
        state.MustRespond = false;
        var frame = new DeltaResponseFrame(
            state.TypeUrl, NextNonce(), HubVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), resources, removed);
        state.LastNonce = frame.Nonce;
        return frame;
    }

    private static void Consider(DeltaTypeState state, List<XdsResource> resources, List<string> removed, string name)
    {
        // Taken (not just read) so that a name examined twice in one response (full resync, then dirty)
        // is sent or removed once.
        var requested = state.Requested.Remove(name);
        if (state.IsSubscribed(name) && state.Table.TryGet(name, out var resource))
        {
            Offer(state, resources, resource, requested);
        }
        else if (state.Sent.Remove(name) | requested)
        {
            removed.Add(name);
        }
    }

    /// <summary>Adds the resource unless the client holds this version (and did not just ask for it by name).</summary>
    private static void Offer(DeltaTypeState state, List<XdsResource> resources, XdsResource resource, bool force)
    {
        if (!force && state.Sent.TryGetValue(resource.Name, out var held) && held == resource.Version)
        {
            return;
        }
        state.Sent[resource.Name] = resource.Version;
        resources.Add(resource);
    }

    protected override string TypeUrlOf(DeltaDiscoveryRequest request) => request.TypeUrl;

    protected override string NonceOf(DeltaDiscoveryRequest request) => request.ResponseNonce;

    protected override Google.Rpc.Status? ErrorOf(DeltaDiscoveryRequest request) => request.ErrorDetail;

    protected override Node? NodeOf(DeltaDiscoveryRequest request) => request.Node;

    protected override string VersionInfoOf(DeltaDiscoveryRequest request) => string.Empty;

    protected override int NameCountOf(DeltaDiscoveryRequest request) =>
        request.ResourceNamesSubscribe.Count + request.ResourceNamesUnsubscribe.Count + request.InitialResourceVersions.Count;

    protected override int ResourceCountOf(DeltaResponseFrame response) => response.Resources.Count;
}
