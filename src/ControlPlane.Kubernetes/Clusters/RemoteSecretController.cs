using System.Security.Cryptography;
using System.Text;
using ControlPlane.Kubernetes.Informers;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Kubernetes.Clusters;

/// <summary>
/// Turns remote-cluster Secrets into watched clusters, as istiod's secret controller does: each data
/// key is a cluster id and its value a kubeconfig. A new key starts that cluster's informers, a changed
/// kubeconfig restarts them (only differences are delivered), a removed key or Secret stops them and
/// deletes exactly that cluster's objects. The local cluster id and ids already registered by another
/// Secret are ignored; a kubeconfig that cannot be used is reported and leaves the cluster as it was.
/// Idempotent: a batch that failed half way is simply applied again.
/// </summary>
public sealed partial class RemoteSecretController(ClusterRegistry registry, ClusterFactory factory, ILogger<RemoteSecretController> logger)
{
    public async Task ApplyAsync(IReadOnlyList<InformerChange<RemoteSecret>> changes, CancellationToken cancellationToken)
    {
        foreach (var change in changes)
        {
            await ReconcileAsync($"{change.Namespace}/{change.Name}", change.Current, cancellationToken).ConfigureAwait(false);
        }
        LogRemoteClusters(registry.Clusters.Count(c => !c.Local));
    }

    private async Task ReconcileAsync(string secretKey, RemoteSecret? secret, CancellationToken cancellationToken)
    {
        foreach (var owned in registry.Clusters.Where(c => !c.Local && c.Secret == secretKey).ToList())
        {
            if (secret is null || !secret.Kubeconfigs.ContainsKey(owned.Id))
            {
                await RemoveAsync(owned, secretKey, cancellationToken).ConfigureAwait(false);
            }
        }
        if (secret is null)
        {
            return;
        }
        foreach (var (clusterId, kubeconfig) in secret.Kubeconfigs)
        {
            if (clusterId == registry.LocalClusterId)
            {
                LogLocalIgnored(clusterId, secretKey);
                continue;
            }
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(kubeconfig)));
            var existing = registry.Find(clusterId);
            if (existing is not null && existing.Secret != secretKey)
            {
                LogDuplicate(clusterId, secretKey, existing.Secret ?? "the local cluster");
                continue;
            }
            if (existing?.ConfigHash == hash)
            {
                continue;
            }
            k8s.KubernetesClientConfiguration config;
            try
            {
                config = Kubeconfigs.FromSecret(kubeconfig, clusterId);
            }
            catch (KubeconfigException ex)
            {
                LogBadKubeconfig(clusterId, secretKey, ex.Message, existing is null ? "not watching it" : "keeping its current state");
                if (existing is null)
                {
                    existing = factory.Remote(clusterId, secretKey);
                    registry.Add(existing);
                }
                existing.RejectConfig(ex.Message, hash);
                continue;
            }
            if (existing is null)
            {
                var cluster = factory.Remote(clusterId, secretKey);
                registry.Add(cluster);
                cluster.Connect(factory.Connect(config), hash);
                cluster.Start();
                LogAdded(clusterId, secretKey, cluster.Status().Server ?? "?");
            }
            else
            {
                await existing.RestartAsync(factory.Connect(config), hash, cancellationToken).ConfigureAwait(false);
                LogUpdated(clusterId, secretKey);
            }
        }
    }

    private async Task RemoveAsync(KubeCluster cluster, string secretKey, CancellationToken cancellationToken)
    {
        await cluster.StopAsync(cancellationToken).ConfigureAwait(false);
        await cluster.ForgetObjectsAsync(cancellationToken).ConfigureAwait(false);
        registry.Remove(cluster.Id);
        LogRemoved(cluster.Id, secretKey);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Adding remote cluster {Cluster} from secret {Secret} (API server {Server})")]
    private partial void LogAdded(string cluster, string secret, string server);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kubeconfig of remote cluster {Cluster} changed in secret {Secret}; restarting its informers")]
    private partial void LogUpdated(string cluster, string secret);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed remote cluster {Cluster} (secret {Secret}) and its objects")]
    private partial void LogRemoved(string cluster, string secret);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ignoring cluster {Cluster} in secret {Secret}: it is the local cluster")]
    private partial void LogLocalIgnored(string cluster, string secret);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignoring cluster {Cluster} in secret {Secret}: already registered by {Owner}")]
    private partial void LogDuplicate(string cluster, string secret, string owner);

    [LoggerMessage(Level = LogLevel.Error, Message = "Remote cluster {Cluster} in secret {Secret}: {Error}; {Outcome}")]
    private partial void LogBadKubeconfig(string cluster, string secret, string error, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} remote clusters")]
    private partial void LogRemoteClusters(int count);
}
