using System.IO.Hashing;
using ControlPlane.Ambient.Builders;
using ControlPlane.Ambient.Model;
using ControlPlane.Grains.Distribution;
using ControlPlane.Grains.Mesh;
using ControlPlane.Xds;
using Google.Protobuf;

namespace ControlPlane.Grains.Namespaces;

/// <inheritdoc cref="INamespaceGrain"/>
[KeepAlive]
public sealed class NamespaceGrain : Grain, INamespaceGrain
{
    private readonly Dictionary<ObjectKey, Pod> _pods = [];
    private readonly Dictionary<ObjectKey, KubeService> _services = [];
    private readonly Dictionary<string, KubeNamespace> _namespaceByCluster = new(StringComparer.Ordinal);

    // What each object currently publishes, and the content hash of each published resource.
    private readonly Dictionary<ObjectKey, string> _resourceOf = [];
    private readonly Dictionary<string, ulong> _published = new(StringComparer.Ordinal);
    private MeshInputs? _mesh;

    private string Name => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken) =>
        _mesh = await GrainFactory.GetGrain<IMeshGrain>(GrainKeys.Mesh).RegisterNamespaceAsync(Name);

    public Task ApplyAsync(IReadOnlyList<ObjectChange> changes)
    {
        var dirty = new HashSet<ObjectKey>();
        var everything = false;
        foreach (var change in changes)
        {
            switch (change.Key.Kind)
            {
                case Kinds.Pod:
                    Set(_pods, change);
                    dirty.Add(change.Key);
                    break;
                case Kinds.Service:
                    _services.TryGetValue(change.Key, out var before);
                    Set(_services, change);
                    dirty.Add(change.Key);
                    // A selector change moves pods in or out of the service's endpoints.
                    MarkSelectedPods(dirty, before);
                    MarkSelectedPods(dirty, change.Object as KubeService);
                    break;
                case Kinds.Namespace:
                    if (change.Object is KubeNamespace ns)
                    {
                        _namespaceByCluster[change.Key.Cluster] = ns;
                    }
                    else
                    {
                        _namespaceByCluster.Remove(change.Key.Cluster);
                    }
                    everything = true;
                    break;
            }
        }
        return RebuildAsync(everything ? AllKeys() : dirty);
    }

    public Task SetMeshAsync(MeshInputs inputs)
    {
        if (inputs.Equals(_mesh))
        {
            return Task.CompletedTask;
        }
        _mesh = inputs;
        return RebuildAsync(AllKeys());
    }

    public Task<IReadOnlyList<string>> GetResourceNamesAsync() =>
        Task.FromResult<IReadOnlyList<string>>([.. _published.Keys.Order(StringComparer.Ordinal)]);

    private async Task RebuildAsync(IEnumerable<ObjectKey> keys)
    {
        var mesh = _mesh ?? throw new InvalidOperationException("namespace grain has no mesh inputs");
        var inputs = new NamespaceInputs
        {
            Name = Name,
            Namespace = EffectiveNamespace(mesh.Settings.ClusterId),
            Services = [.. _services.Values],
        };
        var updated = new List<PublishedResource>();
        var removed = new List<string>();
        foreach (var key in keys)
        {
            var built = key.Kind switch
            {
                Kinds.Pod when _pods.TryGetValue(key, out var pod) => NamespaceBuilder.BuildPod(pod, inputs, mesh),
                Kinds.Service when _services.TryGetValue(key, out var service) => NamespaceBuilder.BuildService(service, inputs, mesh),
                _ => null,
            };
            if (_resourceOf.TryGetValue(key, out var previousName) && previousName != built?.Name)
            {
                _resourceOf.Remove(key);
                if (_published.Remove(previousName))
                {
                    removed.Add(previousName);
                }
            }
            if (built is null)
            {
                continue;
            }
            _resourceOf[key] = built.Name;
            var body = built.Message.ToByteArray();
            var hash = XxHash64.HashToUInt64(body);
            if (_published.TryGetValue(built.Name, out var publishedHash) && publishedHash == hash)
            {
                continue;
            }
            _published[built.Name] = hash;
            updated.Add(new PublishedResource(built.Name, body));
        }
        if (updated.Count == 0 && removed.Count == 0)
        {
            return;
        }
        await GrainFactory.GetGrain<IDistributionGrain>(GrainKeys.Distribution)
            .PublishAsync([new ResourceBatch(TypeUrls.Address, string.Empty, updated, removed)]);
    }

    private void MarkSelectedPods(HashSet<ObjectKey> dirty, KubeService? service)
    {
        if (service?.Selector is not { Count: > 0 } selector)
        {
            return;
        }
        foreach (var (key, pod) in _pods)
        {
            if (selector.IsSubsetOf(pod.Meta.Labels))
            {
                dirty.Add(key);
            }
        }
    }

    private List<ObjectKey> AllKeys() => [.. _pods.Keys, .. _services.Keys];

    /// <summary>The local cluster's Namespace object, else any cluster's (namespace sameness).</summary>
    private KubeNamespace? EffectiveNamespace(string localCluster) =>
        _namespaceByCluster.TryGetValue(localCluster, out var local) ? local : _namespaceByCluster.Values.FirstOrDefault();

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
}
