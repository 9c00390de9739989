using System.Globalization;
using ControlPlane.Xds.Resources;
using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;

namespace ControlPlane.Xds.Server;

/// <summary>
/// Incremental ADS (DeltaAggregatedResources), as ztunnel and Envoy use it: wildcard or named
/// subscriptions, initial_resource_versions on reconnect, only changed resources and removals pushed.
/// </summary>
internal sealed class DeltaConnection(string id, string peer, XdsServices services)
    : XdsConnection<DeltaRequest, DeltaResponseFrame, DeltaTypeState>(id, peer, services)
{
    public const string ProtocolName = "delta";

    public override string Protocol => ProtocolName;

    protected override DeltaTypeState CreateState(string typeUrl, ResourceTable table) => new(typeUrl, table);

    protected override void Initialize(DeltaTypeState state, DeltaRequest request)
    {
        var message = request.Message;
        var reported = request.InitialResourceVersions;
        // Never having subscribed to anything means wildcard; "*" subscribe + "*" unsubscribe means nothing.
        state.Wildcard = message.ResourceNamesSubscribe.Count == 0;
        if (state.Wildcard)
        {
            // Compared with the table, still encoded, when the first response is built.
            state.Reported = reported.Count > 0 ? reported : null;
            ApplySubscription(state, message);
            return;
        }
        foreach (var (name, version) in reported.ToDictionary())
        {
            state.Sent[name] = version;
            state.Names.Add(name);
        }
        ApplySubscription(state, message);
        // A reconnecting client names what it holds in both lists; what it reported is compared by
        // version rather than resent.
        foreach (var name in state.Sent.Keys)
        {
            state.Requested.Remove(name);
        }
    }

    protected override bool ApplySubscription(DeltaTypeState state, DeltaRequest request) => ApplySubscription(state, request.Message);

    private static bool ApplySubscription(DeltaTypeState state, DeltaDiscoveryRequest request)
    {
        var changed = false;
        foreach (var name in request.ResourceNamesSubscribe)
        {
            if (name == "*")
            {
                if (!state.Wildcard)
                {
                    // What the client holds by name stays in Sent, so the full resync sends only the rest.
                    state.Wildcard = true;
                    state.Dirty.Clear();
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
                changed = true;
            }
        }
        foreach (var name in request.ResourceNamesUnsubscribe)
        {
            if (name == "*")
            {
                if (state.Wildcard)
                {
                    LeaveWildcard(state);
                    changed |= state.Dirty.Count > 0;
                }
            }
            else if (state.Names.Remove(name))
            {
                state.Requested.Remove(name);
                if (!state.Wildcard)
                {
                    // The client drops what it unsubscribes from: no removal is due, and a later
                    // subscribe sends it again.
                    state.Sent.Remove(name);
                    state.Dirty.Remove(name);
                }
            }
        }
        return changed;
    }

    /// <summary>
    /// Subscription changes are deltas, and Envoy puts pending ones on its next ACK: dropping them because
    /// that ACK is outdated would lose them for good. A stale request still (un)subscribes.
    /// </summary>
    protected override bool ApplyStale(DeltaTypeState state, DeltaRequest request) => ApplySubscription(state, request.Message);

    private static void LeaveWildcard(DeltaTypeState state)
    {
        if (state.Reported is { } reported)
        {
            // Before the first response: what the client reported is what it holds.
            state.Reported = null;
            foreach (var (name, version) in reported.ToDictionary())
            {
                state.Sent[name] = version;
            }
        }
        state.Wildcard = false;
        state.ClearPendingChanges();
        if (state.FullResync)
        {
            // Nothing was written since the wildcard began: Sent is still exactly what the client holds.
            // It drops what it no longer subscribes to, without removals.
            List<string>? dropped = null;
            foreach (var name in state.Sent.Keys)
            {
                if (!state.Names.Contains(name))
                {
                    (dropped ??= []).Add(name);
                }
            }
            foreach (var name in dropped ?? [])
            {
                state.Sent.Remove(name);
            }
        }
        else
        {
            // A wildcard subscriber's versions are not tracked: send the named resources again.
            state.Sent.Clear();
            state.Dirty.UnionWith(state.Names);
        }
    }

    protected override DeltaResponseFrame? Build(DeltaTypeState state)
    {
        IReadOnlyList<XdsResource> resources;
        IReadOnlyList<string> removed;
        var resourceBytes = DeltaResponseFrame.Unknown;
        if (!state.Wildcard)
        {
            (resources, removed) = BuildNamed(state);
        }
        else if (state.FullResync)
        {
            (resources, removed, resourceBytes) = BuildWildcardResync(state);
        }
        else if (state.PendingChanges.Count == 1 && state.Folded is null && state.Requested.Count == 0)
        {
            // The common push: one committed change, the same lists for every wildcard stream.
            var change = state.PendingChanges[0];
            resources = change.Updated;
            removed = change.Removed;
            resourceBytes = change.EncodedDeltaBytes;
        }
        else
        {
            (resources, removed) = MergeWildcardChanges(state);
        }
        state.ClearPendingChanges();
        state.Requested.Clear();
        state.Dirty.Clear();
        state.FullResync = false;
        if (resources.Count == 0 && removed.Count == 0 && !state.MustRespond)
        {
            return null;
        }
        state.MustRespond = false;
        var frame = new DeltaResponseFrame(
            state.TypeUrl, NextNonce(), HubVersion.ToString(CultureInfo.InvariantCulture), resources, removed, resourceBytes);
        state.LastNonce = frame.Nonce;
        return frame;
    }

    /// <summary>Named subscription: each name considered once, against the version the client holds.</summary>
    private static (List<XdsResource>, List<string>) BuildNamed(DeltaTypeState state)
    {
        var resources = new List<XdsResource>();
        var removed = new List<string>();
        if (state.FullResync)
        {
            foreach (var name in state.Names)
            {
                Consider(state, name, resources, removed);
            }
        }
        else
        {
            foreach (var name in state.Dirty)
            {
                Consider(state, name, resources, removed);
            }
            foreach (var name in state.Requested)
            {
                if (!state.Dirty.Contains(name))
                {
                    Consider(state, name, resources, removed);
                }
            }
        }
        return (resources, removed);
    }

    private static void Consider(DeltaTypeState state, string name, List<XdsResource> resources, List<string> removed)
    {
        var requested = state.Requested.Contains(name);
        if (state.Names.Contains(name) && state.Table.TryGet(name, out var resource))
        {
            if (requested || !state.Sent.TryGetValue(name, out var held) || !resource.HasVersion(held))
            {
                state.Sent[name] = resource.Version;
                resources.Add(resource);
            }
        }
        // Gone, or never there: a name just subscribed is answered "not found" the same way.
        else if (state.Sent.Remove(name) || requested)
        {
            removed.Add(name);
        }
    }

    /// <summary>
    /// Wildcard subscription, first response (or after switching to wildcard): the whole table less what
    /// the client reported holding at the same version, and removals for what it holds that is gone.
    /// Afterwards the client holds the table, and only changes are tracked. A fresh stream is sent the
    /// table's shared snapshot as it is.
    /// </summary>
    private (IReadOnlyList<XdsResource>, List<string>, long) BuildWildcardResync(DeltaTypeState state)
    {
        var snapshot = state.Table.Snapshot();
        if (state.Reported is { } reported)
        {
            state.Reported = null;
            var (unheld, gone) = ReconnectDiff.Compute(state, reported, snapshot, NotifiedThrough);
            return (unheld, gone, DeltaResponseFrame.Unknown);
        }
        var sent = state.Sent;
        var removed = new List<string>();
        if (sent.Count == 0 && state.Requested.Count == 0 && snapshot.MaxRevision <= NotifiedThrough)
        {
            return (snapshot.Resources, removed, snapshot.EncodedDeltaBytes);
        }
        var resources = new List<XdsResource>(snapshot.Entries.Length);
        foreach (var entry in snapshot.Entries)
        {
            // Stored by a batch this stream has not been told of yet: it comes with that batch.
            if (entry.Revision > NotifiedThrough)
            {
                continue;
            }
            var resource = entry.Resource;
            if (sent.Count > 0 && sent.TryGetValue(resource.Name, out var held) && resource.HasVersion(held) && !state.Requested.Contains(resource.Name))
            {
                continue;
            }
            resources.Add(resource);
        }
        foreach (var name in sent.Keys)
        {
            if (!state.Table.Contains(name))
            {
                removed.Add(name);
            }
        }
        foreach (var name in state.Requested)
        {
            if (!sent.ContainsKey(name) && !state.Table.Contains(name))
            {
                removed.Add(name);
            }
        }
        sent.Clear();
        return (resources, removed, DeltaResponseFrame.Unknown);
    }

    /// <summary>Wildcard subscription with several changes (or named requests) waiting: the latest state of each name.</summary>
    private static (List<XdsResource>, List<string>) MergeWildcardChanges(DeltaTypeState state)
    {
        var latest = state.Folded ?? new Dictionary<string, XdsResource?>(StringComparer.Ordinal);
        DeltaTypeState.FoldInto(latest, state.PendingChanges);
        foreach (var name in state.Requested)
        {
            latest[name] = state.Table.TryGet(name, out var resource) ? resource : null;
        }
        var resources = new List<XdsResource>(latest.Count);
        var removed = new List<string>();
        foreach (var (name, resource) in latest)
        {
            if (resource is null)
            {
                removed.Add(name);
            }
            else
            {
                resources.Add(resource);
            }
        }
        return (resources, removed);
    }

    protected override string TypeUrlOf(DeltaRequest request) => request.Message.TypeUrl;

    protected override string NonceOf(DeltaRequest request) => request.Message.ResponseNonce;

    protected override Google.Rpc.Status? ErrorOf(DeltaRequest request) => request.Message.ErrorDetail;

    protected override Node? NodeOf(DeltaRequest request) => request.Message.Node;

    protected override string VersionInfoOf(DeltaRequest request) => string.Empty;

    protected override int NameCountOf(DeltaRequest request) =>
        request.Message.ResourceNamesSubscribe.Count + request.Message.ResourceNamesUnsubscribe.Count + request.InitialResourceVersions.Count;

    protected override int ResourceCountOf(DeltaResponseFrame response) => response.Resources.Count;
}
