using ControlPlane.Ambient.Builders;
using ControlPlane.Ambient.Model;
using ControlPlane.Grains.Namespaces;
using ControlPlane.Grains.Routing;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Grains.Mesh;

/// <inheritdoc cref="IMeshGrain"/>
/// <remarks>
/// A cache of source state: on activation it seeds its objects, its registry of namespaces (every namespace
/// of the store) and the namespaces' ServiceEntry host claims from this silo's <see cref="LocalObjectStore"/>,
/// so a mesh grain lost with its silo comes back with the same inputs.
/// </remarks>
[KeepAlive]
public sealed partial class MeshGrain(MeshSettings settings, LocalObjectStore store, ILogger<MeshGrain> logger) : Grain, IMeshGrain
{
    private readonly Dictionary<ObjectKey, KubeNode> _nodes = [];
    private readonly Dictionary<ObjectKey, AuthorizationPolicy> _rootPolicies = [];
    private readonly Dictionary<ObjectKey, PeerAuthentication> _peerAuthentications = [];
    private readonly Dictionary<ObjectKey, Gateway> _gateways = [];
    private readonly Dictionary<ObjectKey, GatewayClass> _gatewayClasses = [];
    private readonly Dictionary<string, IReadOnlyList<HostClaim>> _claims = new(StringComparer.Ordinal);
    private readonly HashSet<string> _namespaces = new(StringComparer.Ordinal);
    private KubeNamespace? _systemNamespace;
    private MeshInputs? _inputs;

    private MeshInputs Inputs => _inputs ??= Compute();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await store.WhenSyncedAsync(cancellationToken).WaitAsync(LocalObjectStore.SeedTimeout, cancellationToken);
        var objects = store.MeshObjects();
        foreach (var obj in objects)
        {
            Hold(ObjectChange.Upsert(obj));
        }
        var namespaces = store.Namespaces();
        _namespaces.UnionWith(namespaces);
        // Claims depend only on each namespace's own objects (and mesh inputs without claims), as the
        // namespace grains compute them; they report changes afterwards.
        var preliminary = Inputs;
        foreach (var ns in namespaces)
        {
            var nsObjects = store.NamespaceObjects(ns);
            if (!nsObjects.Any(o => o.Kind == Kinds.ServiceEntry))
            {
                continue;
            }
            var inputs = MeshBuilder.NamespacesOf(nsObjects, settings).Single(n => n.Name == ns);
            var claims = new NamespaceView(inputs, preliminary).HostClaims().OrderBy(c => c.Host, StringComparer.Ordinal).ToList();
            if (claims.Count > 0)
            {
                _claims[ns] = claims;
            }
        }
        _inputs = null;
        LogSeeded(objects.Count, namespaces.Count, _claims.Count);
    }

    public Task WakeAsync() => Task.CompletedTask;

    public Task ApplyAsync(IReadOnlyList<ObjectChange> changes)
    {
        foreach (var change in changes)
        {
            Hold(change);
        }
        return RecomputeAsync();
    }

    private void Hold(ObjectChange change)
    {
        var key = change.Key;
        switch (key.Kind)
        {
            case Kinds.Node:
                Set(_nodes, change);
                break;
            case Kinds.Namespace when key.Name == settings.RootNamespace && key.Cluster == settings.ClusterId:
                _systemNamespace = change.Object as KubeNamespace;
                break;
            case Kinds.AuthorizationPolicy when key.Namespace == settings.RootNamespace:
                Set(_rootPolicies, change);
                break;
            case Kinds.PeerAuthentication:
                Set(_peerAuthentications, change);
                break;
            case Kinds.Gateway:
                Set(_gateways, change);
                break;
            case Kinds.GatewayClass:
                Set(_gatewayClasses, change);
                break;
        }
    }

    public Task ReportHostClaimsAsync(string ns, IReadOnlyList<HostClaim> claims)
    {
        if (claims.Count == 0)
        {
            _claims.Remove(ns);
        }
        else
        {
            _claims[ns] = claims;
        }
        return RecomputeAsync();
    }

    public Task<MeshInputs> RegisterNamespaceAsync(string name)
    {
        _namespaces.Add(name);
        return Task.FromResult(Inputs);
    }

    public Task<MeshInputs> GetInputsAsync() => Task.FromResult(Inputs);

    /// <summary>Recomputes the inputs and, only if they changed, sends them to every namespace grain.</summary>
    private async Task RecomputeAsync()
    {
        var previous = Inputs;
        _inputs = null;
        if (Inputs.Equals(previous))
        {
            return;
        }
        var inputs = Inputs;
        // The root namespace publishes the static policy, so it hears of changes even before it has objects.
        var targets = new HashSet<string>(_namespaces, StringComparer.Ordinal) { settings.RootNamespace };
        LogBroadcast(targets.Count, inputs.Waypoints.Count, inputs.NodeLocalities.Count);
        await Task.WhenAll(targets.Select(ns => GrainFactory.GetGrain<INamespaceGrain>(GrainKeys.Namespace(ns)).SetMeshAsync(inputs)));
    }

    private MeshInputs Compute()
    {
        // Cluster-scoped and duplicated objects: the local cluster's first.
        var classes = new Dictionary<string, GatewayClass>(StringComparer.Ordinal);
        foreach (var gatewayClass in LocalFirst(_gatewayClasses.Values))
        {
            classes.TryAdd(gatewayClass.Meta.Name, gatewayClass);
        }
        return MeshInputs.From(
            settings,
            _systemNamespace,
            _nodes.Values.Where(n => n.Meta.Cluster == settings.ClusterId),
            _rootPolicies.Values,
            _peerAuthentications.Values,
            LocalFirst(_gateways.Values),
            classes,
            _claims.Values.SelectMany(c => c));
    }

    private IEnumerable<T> LocalFirst<T>(IEnumerable<T> objects)
        where T : IMeshObject =>
        objects.OrderBy(o => o.Meta.Cluster == settings.ClusterId ? 0 : 1).ThenBy(o => o.Meta.Cluster, StringComparer.Ordinal);

    private static void Set<T>(Dictionary<ObjectKey, T> objects, ObjectChange change)
        where T : class
    {
        if (change.Object is T obj)
        {
            objects[change.Key] = obj;
        }
        else
        {
            objects.Remove(change.Key);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mesh grain seeded from the local store: {Objects} objects, {Namespaces} namespaces, host claims of {Claiming} namespaces")]
    private partial void LogSeeded(int objects, int namespaces, int claiming);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Mesh inputs changed: sending them to {Namespaces} namespaces ({Waypoints} waypoints, {Nodes} nodes with a locality)")]
    private partial void LogBroadcast(int namespaces, int waypoints, int nodes);
}
