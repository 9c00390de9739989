using System.IO.Hashing;
using ControlPlane.Ambient.Builders;
using ControlPlane.Ambient.Collections;
using ControlPlane.Ambient.Model;
using ControlPlane.Grains.Distribution;
using ControlPlane.Grains.Mesh;
using ControlPlane.Grains.Routing;
using ControlPlane.Xds;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Grains.Namespaces;

/// <inheritdoc cref="INamespaceGrain"/>
/// <remarks>
/// A cache of source state: on activation it seeds itself from this silo's <see cref="LocalObjectStore"/>
/// (waiting until the store holds every source's initial list) and publishes its complete set under a new
/// epoch, so a grain lost with its silo comes back whole. Its publishes are numbered; one that fails is
/// followed by an empty one, whose gap makes the distribution grain ask for the complete set.
/// </remarks>
[KeepAlive]
public sealed partial class NamespaceGrain(LocalObjectStore store, NamespaceBuildMetrics metrics, ILogger<NamespaceGrain> logger) : Grain, INamespaceGrain
{
    private static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(2);

    private readonly Dictionary<ObjectKey, Pod> _pods = [];
    private readonly Dictionary<ObjectKey, KubeService> _services = [];
    private readonly Dictionary<ObjectKey, ServiceEntry> _serviceEntries = [];
    private readonly Dictionary<ObjectKey, WorkloadEntry> _workloadEntries = [];
    private readonly Dictionary<ObjectKey, EndpointSlice> _slices = [];
    private readonly Dictionary<ObjectKey, AuthorizationPolicy> _authorizationPolicies = [];
    private readonly Dictionary<ObjectKey, PeerAuthentication> _peerAuthentications = [];
    private readonly Dictionary<string, KubeNamespace> _namespaceByCluster = new(StringComparer.Ordinal);

    // What each object (or the static policy) publishes, who owns each published resource, and its content hash.
    private readonly Dictionary<ObjectKey, OwnedResources> _resourcesOf = [];
    private readonly Dictionary<ResourceId, Publication> _published = [];
    private IReadOnlyList<HostClaim> _claims = [];
    private MeshInputs? _mesh;
    private readonly Guid _epoch = Guid.NewGuid();
    private long _sequence;
    private IGrainTimer? _resync;

    private string Name => this.GetPrimaryKeyString();

    /// <summary>Stands for the static STRICT policy, which no object owns.</summary>
    private ObjectKey StaticPolicyKey => new(string.Empty, "StaticPolicy", Name, PeerAuthenticationBuilder.StaticStrictName);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await store.WhenSyncedAsync(cancellationToken).WaitAsync(LocalObjectStore.SeedTimeout, cancellationToken);
        _mesh = await GrainFactory.GetGrain<IMeshGrain>(GrainKeys.Mesh).RegisterNamespaceAsync(Name);
        var objects = store.NamespaceObjects(Name);
        // Sized for the seed at once rather than grown by doubling: these maps are most of a grain's memory.
        _pods.EnsureCapacity(objects.Count(o => o is Pod));
        _services.EnsureCapacity(objects.Count(o => o is KubeService));
        _resourcesOf.EnsureCapacity(objects.Count);
        _published.EnsureCapacity(objects.Count);
        // Everything is rebuilt below: what each object would mark is not needed.
        var marked = new HashSet<ObjectKey>();
        foreach (var obj in objects)
        {
            Hold(ObjectChange.Upsert(obj), marked);
        }
        LogSeeded(Name, objects.Count);
        await RebuildAsync(AllKeys(), complete: true);
    }

    public Task WakeAsync() => Task.CompletedTask;

    public Task ApplyAsync(IReadOnlyList<ObjectChange> changes)
    {
        var dirty = new HashSet<ObjectKey>();
        foreach (var change in changes)
        {
            Hold(change, dirty);
        }
        return RebuildAsync(dirty);
    }

    /// <summary>Stores an object change and marks what it affects; an object held as it is already changes nothing.</summary>
    /// <remarks>
    /// Every replica's sources deliver each change, and a delivery that activates the grain finds its own
    /// changes in the seed: neither rebuilds anything.
    /// </remarks>
    private void Hold(ObjectChange change, HashSet<ObjectKey> dirty)
    {
        var key = change.Key;
        if (Equals(Held(key), change.Object))
        {
            return;
        }
        switch (key.Kind)
        {
            case Kinds.Pod:
                Set(_pods, change);
                dirty.Add(key);
                break;
            case Kinds.Service:
                {
                    var (before, after) = Set(_services, change);
                    dirty.Add(key);
                    foreach (var service in new[] { before, after })
                    {
                        if (service is not null)
                        {
                            MarkSelected(dirty, service.Selector);
                            MarkSliceTargets(dirty, service.Meta.Name);
                            MarkEntriesWithHost(dirty, Names.ServiceHostname(service.Meta.Name, Name, Settings.DomainSuffix));
                        }
                    }
                    break;
                }
            case Kinds.ServiceEntry:
                {
                    var (before, after) = Set(_serviceEntries, change);
                    dirty.Add(key);
                    foreach (var entry in new[] { before, after })
                    {
                        if (entry is not null)
                        {
                            MarkSelected(dirty, entry.WorkloadSelector);
                            // Entries sharing a host may win or lose it now.
                            foreach (var host in entry.Hosts)
                            {
                                MarkEntriesWithHost(dirty, host);
                            }
                        }
                    }
                    break;
                }
            case Kinds.WorkloadEntry:
                Set(_workloadEntries, change);
                dirty.Add(key);
                break;
            case Kinds.EndpointSlice:
                {
                    var (before, after) = Set(_slices, change);
                    dirty.Add(key);
                    MarkSlicePods(dirty, before);
                    MarkSlicePods(dirty, after);
                    break;
                }
            case Kinds.AuthorizationPolicy:
                {
                    var (before, after) = Set(_authorizationPolicies, change);
                    dirty.Add(key);
                    MarkWorkloadsMatching(dirty, before is { HasSelector: true } ? before.Selector : null);
                    MarkWorkloadsMatching(dirty, after is { HasSelector: true } ? after.Selector : null);
                    break;
                }
            case Kinds.PeerAuthentication:
                {
                    var (before, after) = Set(_peerAuthentications, change);
                    dirty.Add(key);
                    if (before is { Selector.Count: 0 } || after is { Selector.Count: 0 })
                    {
                        // The namespace-wide mode: every workload and every converted policy inherit it.
                        MarkAllWorkloads(dirty);
                        dirty.UnionWith(_peerAuthentications.Keys);
                    }
                    MarkWorkloadsMatching(dirty, before?.Selector);
                    MarkWorkloadsMatching(dirty, after?.Selector);
                    break;
                }
            case Kinds.Namespace:
                if (change.Object is KubeNamespace ns)
                {
                    _namespaceByCluster[key.Cluster] = ns;
                }
                else
                {
                    _namespaceByCluster.Remove(key.Cluster);
                }
                // Its labels and annotations (waypoints, traffic distribution) reach everything.
                dirty.UnionWith(AllKeys());
                break;
        }
    }

    public Task SetMeshAsync(MeshInputs inputs)
    {
        var change = MeshInputs.Diff(_mesh, inputs);
        _mesh = inputs;
        if (change.IsEmpty)
        {
            return Task.CompletedTask;
        }
        if (change.Everything)
        {
            return RebuildAsync(AllKeys());
        }
        var dirty = new HashSet<ObjectKey>();
        foreach (var (key, pod) in _pods)
        {
            if (change.Nodes.Contains(pod.NodeName))
            {
                dirty.Add(key);
            }
        }
        foreach (var selector in change.PolicySelectors)
        {
            MarkWorkloadsMatching(dirty, selector);
        }
        if (change.PeerAuthentication)
        {
            MarkAllWorkloads(dirty);
            dirty.UnionWith(_peerAuthentications.Keys);
        }
        if (change.StaticPolicy)
        {
            dirty.Add(StaticPolicyKey);
        }
        if (change.Waypoints.Count > 0)
        {
            MarkWaypointUsers(dirty, change.Waypoints);
        }
        foreach (var (key, entry) in _serviceEntries)
        {
            if (entry.Hosts.Any(change.Hosts.Contains))
            {
                dirty.Add(key);
            }
        }
        return RebuildAsync(dirty);
    }

    public Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> GetResourceNamesAsync()
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var group in _published.Keys.GroupBy(id => id.Kind))
        {
            result[TypeUrlOf(group.Key)] = [.. group.Select(id => id.Name).Order(StringComparer.Ordinal)];
        }
        return Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<string>>>(result);
    }

    private MeshSettings Settings => (_mesh ?? throw new InvalidOperationException("namespace grain has no mesh inputs")).Settings;

    private NamespaceView View() => new(
        new NamespaceInputs
        {
            Name = Name,
            Namespace = EffectiveNamespace(),
            Pods = _pods.Values,
            Services = _services.Values,
            ServiceEntries = _serviceEntries.Values,
            WorkloadEntries = _workloadEntries.Values,
            EndpointSlices = _slices.Values,
            AuthorizationPolicies = _authorizationPolicies.Values,
            PeerAuthentications = _peerAuthentications.Values,
        },
        _mesh ?? throw new InvalidOperationException("namespace grain has no mesh inputs"));

    public Task<OriginUpdate> GetResourcesAsync()
    {
        // Rebuilt from the objects rather than kept: the bodies would double the grain's memory for a rare repair.
        var view = View();
        var byOwner = new Dictionary<ObjectKey, HashSet<ResourceId>>();
        foreach (var (id, (owner, _)) in _published)
        {
            if (!byOwner.TryGetValue(owner, out var ids))
            {
                ids = [];
                byOwner[owner] = ids;
            }
            ids.Add(id);
        }
        var resources = new Dictionary<AmbientResourceKind, List<PublishedResource>>();
        foreach (var (owner, ids) in byOwner)
        {
            foreach (var resource in Build(owner, view))
            {
                if (ids.Contains(new ResourceId(resource.Kind, resource.Name)))
                {
                    ListFor(resources, resource.Kind).Add(new PublishedResource(resource.Name, resource.Message.ToByteArray()));
                }
            }
        }
        var batches = new List<ResourceBatch>(resources.Count);
        foreach (var (kind, list) in resources)
        {
            batches.Add(new ResourceBatch(TypeUrlOf(kind), string.Empty, list, []));
        }
        return Task.FromResult(new OriginUpdate(this.GetGrainId(), _epoch, _sequence, Complete: true, batches));
    }

    /// <summary>
    /// Rebuilds the given objects; publishes what changed by content and what they no longer publish.
    /// <paramref name="complete"/>: this is the first build of the activation, so what it publishes is the
    /// complete set (published even when empty, to clear what an earlier activation published).
    /// </summary>
    private async Task RebuildAsync(IReadOnlyCollection<ObjectKey> keys, bool complete = false)
    {
        if (keys.Count == 0 && !complete)
        {
            return;
        }
        if (keys.Count > 0)
        {
            metrics.Built(keys.Count);
        }
        var view = View();
        var built = new Dictionary<ObjectKey, List<AmbientResource>>(keys.Count);
        foreach (var key in keys)
        {
            built[key] = Build(key, view);
        }
        var updated = new Dictionary<AmbientResourceKind, List<PublishedResource>>();
        var removed = new Dictionary<AmbientResourceKind, List<string>>();
        var produced = new HashSet<ResourceId>();
        var ids = new Dictionary<ObjectKey, List<ResourceId>>(built.Count);
        foreach (var (key, resources) in built)
        {
            _resourcesOf.TryGetValue(key, out var previous);
            var ownIds = new List<ResourceId>(resources.Count);
            ids[key] = ownIds;
            foreach (var resource in resources)
            {
                // The name string this object published before, if any: the tables downstream keep the
                // string they were first given, so a republished resource shares it rather than adding one.
                var id = previous.Find(new ResourceId(resource.Kind, resource.Name));
                ownIds.Add(id);
                produced.Add(id);
                var body = resource.Message.ToByteArray();
                var hash = XxHash64.HashToUInt64(body);
                var unchanged = _published.TryGetValue(id, out var published) && published.Hash == hash;
                _published[id] = new Publication(key, hash);
                if (!unchanged)
                {
                    ListFor(updated, id.Kind).Add(new PublishedResource(id.Name, body));
                }
            }
        }
        foreach (var (key, resources) in built)
        {
            if (_resourcesOf.TryGetValue(key, out var before))
            {
                foreach (var id in before)
                {
                    // Gone from this object, and not taken over by another one in this rebuild.
                    if (!produced.Contains(id) && _published.TryGetValue(id, out var published) && published.Owner == key)
                    {
                        _published.Remove(id);
                        ListFor(removed, id.Kind).Add(id.Name);
                    }
                }
            }
            if (resources.Count == 0)
            {
                _resourcesOf.Remove(key);
            }
            else
            {
                _resourcesOf[key] = OwnedResources.Of(ids[key]);
            }
        }
        var batches = new List<ResourceBatch>(2);
        foreach (var kind in new[] { AmbientResourceKind.Address, AmbientResourceKind.Authorization })
        {
            var kindUpdated = updated.GetValueOrDefault(kind) ?? [];
            var kindRemoved = removed.GetValueOrDefault(kind) ?? [];
            if (kindUpdated.Count + kindRemoved.Count > 0)
            {
                batches.Add(new ResourceBatch(TypeUrlOf(kind), string.Empty, kindUpdated, kindRemoved));
            }
        }
        if (batches.Count > 0 || complete)
        {
            await PublishAsync(new OriginUpdate(this.GetGrainId(), _epoch, ++_sequence, complete, batches));
        }
        if (keys.Any(k => k.Kind is Kinds.ServiceEntry or Kinds.Service))
        {
            ReportClaims(view);
        }
    }

    private List<AmbientResource> Build(ObjectKey key, NamespaceView view) =>
        key == StaticPolicyKey
            ? NamespaceBuilder.BuildStaticPolicy(view) is { } staticPolicy ? [staticPolicy] : []
            : Find(key) is { } obj ? [.. NamespaceBuilder.Build(obj, view)] : [];

    /// <summary>
    /// Publishes to the distribution grain. A failure leaves the grain's state as built: it then publishes
    /// empty updates until one gets through, whose gap makes the distribution grain fetch the complete set.
    /// </summary>
    private async Task PublishAsync(OriginUpdate update)
    {
        try
        {
            await GrainFactory.GetGrain<IDistributionGrain>(GrainKeys.Distribution).PublishAsync(update);
            _resync?.Dispose();
            _resync = null;
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            LogPublishFailed(Name, update.Sequence, ex.Message);
            _resync ??= this.RegisterGrainTimer(
                _ => PublishAsync(new OriginUpdate(this.GetGrainId(), _epoch, ++_sequence, Complete: false, [])),
                new GrainTimerCreationOptions(ResyncInterval, ResyncInterval));
        }
    }

    /// <summary>Tells the mesh which ServiceEntry hosts this namespace publishes, when that changed.</summary>
    private void ReportClaims(NamespaceView view)
    {
        var claims = view.HostClaims().OrderBy(c => c.Host, StringComparer.Ordinal).ToList();
        if (claims.SequenceEqual(_claims))
        {
            return;
        }
        _claims = claims;
        GrainFactory.GetGrain<IMeshGrain>(GrainKeys.Mesh).ReportHostClaimsAsync(Name, claims).Ignore();
    }

    /// <summary>The object held under a key (for a Namespace, that cluster's), or null.</summary>
    private IMeshObject? Held(ObjectKey key) =>
        key.Kind == Kinds.Namespace ? _namespaceByCluster.GetValueOrDefault(key.Cluster) : Find(key);

    private IMeshObject? Find(ObjectKey key) => key.Kind switch
    {
        Kinds.Pod => _pods.GetValueOrDefault(key),
        Kinds.Service => _services.GetValueOrDefault(key),
        Kinds.ServiceEntry => _serviceEntries.GetValueOrDefault(key),
        Kinds.WorkloadEntry => _workloadEntries.GetValueOrDefault(key),
        Kinds.EndpointSlice => _slices.GetValueOrDefault(key),
        Kinds.AuthorizationPolicy => _authorizationPolicies.GetValueOrDefault(key),
        Kinds.PeerAuthentication => _peerAuthentications.GetValueOrDefault(key),
        _ => null,
    };

    private List<ObjectKey> AllKeys() =>
    [
        .. _pods.Keys, .. _services.Keys, .. _serviceEntries.Keys, .. _workloadEntries.Keys, .. _slices.Keys,
        .. _authorizationPolicies.Keys, .. _peerAuthentications.Keys, StaticPolicyKey,
    ];

    /// <summary>Pods, WorkloadEntries and ServiceEntries (their endpoints select by the entry's labels).</summary>
    private void MarkAllWorkloads(HashSet<ObjectKey> dirty)
    {
        dirty.UnionWith(_pods.Keys);
        dirty.UnionWith(_workloadEntries.Keys);
        dirty.UnionWith(_serviceEntries.Keys);
    }

    /// <summary>Workloads whose labels a (policy) selector matches; null or empty selects none.</summary>
    private void MarkWorkloadsMatching(HashSet<ObjectKey> dirty, StringMap? selector)
    {
        if (selector is not { Count: > 0 } labels)
        {
            return;
        }
        MarkSelected(dirty, labels);
        foreach (var (key, entry) in _serviceEntries)
        {
            if (labels.IsSubsetOf(entry.Meta.Labels))
            {
                dirty.Add(key);
            }
        }
    }

    /// <summary>Pods and WorkloadEntries a (service) selector picks.</summary>
    private void MarkSelected(HashSet<ObjectKey> dirty, StringMap? selector)
    {
        if (selector is not { Count: > 0 } labels)
        {
            return;
        }
        foreach (var (key, pod) in _pods)
        {
            if (labels.IsSubsetOf(pod.Meta.Labels))
            {
                dirty.Add(key);
            }
        }
        foreach (var (key, entry) in _workloadEntries)
        {
            if (labels.IsSubsetOf(entry.Spec.Labels))
            {
                dirty.Add(key);
            }
        }
    }

    /// <summary>Entries that claim a host, and the workloads they select.</summary>
    private void MarkEntriesWithHost(HashSet<ObjectKey> dirty, string host)
    {
        foreach (var (key, entry) in _serviceEntries)
        {
            if (entry.Hosts.Contains(host) && dirty.Add(key))
            {
                MarkSelected(dirty, entry.WorkloadSelector);
            }
        }
    }

    /// <summary>The slices of a Service (their port mapping follows it) and the pods they name.</summary>
    private void MarkSliceTargets(HashSet<ObjectKey> dirty, string serviceName)
    {
        foreach (var (key, slice) in _slices)
        {
            if (slice.ServiceName == serviceName)
            {
                dirty.Add(key);
                MarkSlicePods(dirty, slice);
            }
        }
    }

    private void MarkSlicePods(HashSet<ObjectKey> dirty, EndpointSlice? slice)
    {
        if (slice is null)
        {
            return;
        }
        foreach (var endpoint in slice.Endpoints)
        {
            if (endpoint.TargetRef is { Kind: Kinds.Pod } target)
            {
                foreach (var (key, pod) in _pods)
                {
                    if (pod.Meta.Name == target.Name)
                    {
                        dirty.Add(key);
                    }
                }
            }
        }
    }

    /// <summary>Objects whose waypoint binding (own, namespace's, canary or instance-of) names a changed waypoint.</summary>
    private void MarkWaypointUsers(HashSet<ObjectKey> dirty, IReadOnlySet<string> waypoints)
    {
        var view = View();
        bool Uses(StringMap labels) => WaypointResolver.Referenced(labels, view).Any(waypoints.Contains);
        foreach (var (key, pod) in _pods)
        {
            if (Uses(pod.Meta.Labels))
            {
                dirty.Add(key);
            }
        }
        foreach (var (key, service) in _services)
        {
            if (Uses(service.Meta.Labels))
            {
                dirty.Add(key);
            }
        }
        foreach (var (key, entry) in _workloadEntries)
        {
            if (Uses(entry.Spec.Labels))
            {
                dirty.Add(key);
            }
        }
        foreach (var (key, entry) in _serviceEntries)
        {
            if (Uses(entry.Meta.Labels) || entry.Endpoints.Any(e => Uses(e.Labels)))
            {
                dirty.Add(key);
            }
        }
    }

    /// <summary>The local cluster's Namespace object, else any cluster's (namespace sameness).</summary>
    private KubeNamespace? EffectiveNamespace()
    {
        var local = _mesh?.Settings.ClusterId;
        return local is not null && _namespaceByCluster.TryGetValue(local, out var ns)
            ? ns
            : _namespaceByCluster.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => n.Value).FirstOrDefault();
    }

    private static string TypeUrlOf(AmbientResourceKind kind) =>
        kind == AmbientResourceKind.Authorization ? TypeUrls.Authorization : TypeUrls.Address;

    private static List<T> ListFor<T>(Dictionary<AmbientResourceKind, List<T>> lists, AmbientResourceKind kind)
    {
        if (!lists.TryGetValue(kind, out var list))
        {
            list = [];
            lists[kind] = list;
        }
        return list;
    }

    private static (T? Before, T? After) Set<T>(Dictionary<ObjectKey, T> objects, ObjectChange change)
        where T : class
    {
        objects.TryGetValue(change.Key, out var before);
        if (change.Object is T obj)
        {
            objects[change.Key] = obj;
            return (before, obj);
        }
        objects.Remove(change.Key);
        return (before, null);
    }

    private readonly record struct ResourceId(AmbientResourceKind Kind, string Name);

    /// <summary>A published resource: the object that owns it and the content hash last published.</summary>
    private readonly record struct Publication(ObjectKey Owner, ulong Hash);

    /// <summary>What one object publishes: nearly always one resource, kept inline; the rest in an array.</summary>
    private readonly struct OwnedResources(ResourceId first, ResourceId[]? rest)
    {
        public static OwnedResources Of(List<ResourceId> ids) => new(ids[0], ids.Count > 1 ? [.. ids.Skip(1)] : null);

        /// <summary>The id equal to <paramref name="id"/> among these (the instance held here), or <paramref name="id"/> itself.</summary>
        public ResourceId Find(ResourceId id)
        {
            if (first == id)
            {
                return first;
            }
            foreach (var held in rest ?? [])
            {
                if (held == id)
                {
                    return held;
                }
            }
            return id;
        }

        public IEnumerator<ResourceId> GetEnumerator()
        {
            yield return first;
            foreach (var id in rest ?? [])
            {
                yield return id;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Namespace {Namespace} seeded from the local store: {Objects} objects")]
    private partial void LogSeeded(string @namespace, int objects);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Namespace {Namespace} could not publish update {Sequence}; will resync: {Reason}")]
    private partial void LogPublishFailed(string @namespace, long sequence, string reason);
}
