using ControlPlane.Kubernetes.Clusters;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Kubernetes;

/// <summary>
/// Serves Kubernetes clusters as object events: runs the local cluster's informers (including the
/// remote-cluster Secrets, which start and stop remote clusters through <see cref="RemoteSecretController"/>)
/// until the host stops. Informers live here, in the host process, not in grains.
/// </summary>
public sealed partial class KubernetesSource : BackgroundService
{
    private readonly ClusterRegistry _registry;
    private readonly ILogger<KubernetesSource> _logger;

    public KubernetesSource(ClusterFactory factory, ClusterRegistry registry, RemoteSecretController remoteSecrets, ILogger<KubernetesSource> logger)
    {
        _registry = registry;
        _logger = logger;
        LocalCluster = factory.Local(remoteSecrets.ApplyAsync);
        LocalCluster.Connect(registry.LocalConnection ?? throw new InvalidOperationException("the cluster registry has no local connection"));
        registry.Add(LocalCluster);
    }

    /// <summary>The local cluster; <c>/ready</c> waits for each of its informers.</summary>
    public KubeCluster LocalCluster { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LocalCluster.Start();
        LogStarted(LocalCluster.Id, LocalCluster.Status().Server ?? "?", LocalCluster.Informers.Count);
        try
        {
            await LocalCluster.InitialSync.WaitAsync(stoppingToken).ConfigureAwait(false);
            LogSynced(LocalCluster.Id);
            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        // Shutting down: stop watching, but deliver no deletes (the process's state goes with it). The
        // local cluster first: its Secrets informer is what starts remote clusters.
        await LocalCluster.StopAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(_registry.Clusters.Where(c => !c.Local).Select(c => c.StopAsync(cancellationToken))).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching local cluster {Cluster} at {Server} with {Informers} informers")]
    private partial void LogStarted(string cluster, string server, int informers);

    [LoggerMessage(Level = LogLevel.Information, Message = "Local cluster {Cluster} synced")]
    private partial void LogSynced(string cluster);
}
