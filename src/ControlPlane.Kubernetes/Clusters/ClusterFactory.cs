using System.Text;
using System.Text.Json;
using ControlPlane.Ambient.Collections;
using ControlPlane.Ambient.Model;
using ControlPlane.Kubernetes.Api;
using ControlPlane.Kubernetes.Conversion;
using ControlPlane.Kubernetes.Informers;
using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Kubernetes.Clusters;

/// <summary>
/// Builds clusters with their informer set (from <see cref="KubeResources"/>): every informer turns
/// objects into the records the config directory produces (<see cref="KubeObjectConverter"/>, fed the
/// object's JSON) and delivers them to the object sink.
/// </summary>
public sealed class ClusterFactory(IOptions<KubernetesOptions> options, MeshSettings settings, IObjectSink sink, ILoggerFactory loggers)
{
    private readonly KubernetesOptions _options = options.Value;
    private readonly ILogger _logger = loggers.CreateLogger("ControlPlane.Kubernetes.Informers.Informer");

    /// <summary>The local cluster: every resource, plus the remote-cluster Secrets of the system namespace.</summary>
    public KubeCluster Local(Func<IReadOnlyList<InformerChange<RemoteSecret>>, CancellationToken, Task> remoteSecrets)
    {
        var id = settings.ClusterId;
        var secrets = new Informer<RemoteSecret>(KubeResources.RemoteSecrets, id, settings.RootNamespace, ToRemoteSecret, remoteSecrets, _options, _logger);
        return new KubeCluster(id, local: true, secret: null, [.. MeshInformers(id, local: true), secrets]);
    }

    /// <summary>A remote cluster registered by <paramref name="secret"/>: the resources scoped to all clusters.</summary>
    public KubeCluster Remote(string id, string secret) => new(id, local: false, secret, [.. MeshInformers(id, local: false)]);

    /// <summary>A connection to an API server with this source's timeouts.</summary>
    public KubeApiClient Connect(KubernetesClientConfiguration config) => Connect(config, _options);

    public static KubeApiClient Connect(KubernetesClientConfiguration config, KubernetesOptions options) =>
        new(config, TimeSpan.FromSeconds(options.RequestTimeoutSeconds));

    private IEnumerable<IInformer> MeshInformers(string cluster, bool local) =>
        KubeResources.MeshObjectsFor(local).Select(resource => (IInformer)new Informer<IMeshObject>(
            resource,
            cluster,
            resource.SystemNamespaceOnly ? settings.RootNamespace : null,
            obj => KubeObjectConverter.Convert(resource.ApiVersionKind, obj.Json, cluster),
            DeliverAsync,
            _options,
            _logger));

    private Task DeliverAsync(IReadOnlyList<InformerChange<IMeshObject>> changes, CancellationToken cancellationToken) =>
        sink.ApplyAsync([.. changes.Select(c => c.Current is { } obj ? ObjectChange.Upsert(obj) : ObjectChange.Delete(ObjectKey.Of(c.Previous!)))], cancellationToken);

    /// <summary>Secret → cluster id → kubeconfig (the base64 <c>data</c> values decoded).</summary>
    public static RemoteSecret ToRemoteSecret(KubeObject secret)
    {
        using var document = JsonDocument.Parse(secret.Json);
        var kubeconfigs = new List<KeyValuePair<string, string>>();
        if (document.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in data.EnumerateObject())
            {
                var bytes = entry.Value.ValueKind == JsonValueKind.String
                    ? entry.Value.GetBytesFromBase64()
                    : throw new FormatException($"data key {entry.Name} is not a base64 string");
                kubeconfigs.Add(KeyValuePair.Create(entry.Name, Encoding.UTF8.GetString(bytes)));
            }
        }
        return new RemoteSecret(secret.Namespace, secret.Name, new StringMap(kubeconfigs));
    }
}
