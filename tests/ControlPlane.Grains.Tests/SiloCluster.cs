using ControlPlane.Ambient.Model;
using ControlPlane.Xds;
using ControlPlane.Xds.Hub;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace ControlPlane.Grains.Tests;

/// <summary>
/// An in-process Orleans cluster of several silos, each with its own xDS hub, as replicas run. The first
/// silo is the primary (it holds the test cluster's membership): never kill it. Silo deaths are noticed
/// within a few seconds.
/// </summary>
public class SiloCluster(int silos) : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder((short)silos);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>
    /// Delivers changes as every replica's sources would: through the sink of each live silo in turn, the
    /// last silo first, so grains (placed where they are first called) live off the primary and can be killed.
    /// </summary>
    public IObjectSink Sink => new ReplicaSinks(this);

    public XdsHub Hub(int silo) => Services(silo).GetRequiredService<XdsHub>();

    public IServiceProvider Services(int silo) => Handle(silo).SiloHost.Services;

    public InProcessSiloHandle Handle(int silo) => (InProcessSiloHandle)Cluster.Silos[silo];

    public IGrainFactory Grains => Cluster.Client;

    private sealed class ReplicaSinks(SiloCluster cluster) : IObjectSink
    {
        public async Task ApplyAsync(IReadOnlyList<ObjectChange> changes, CancellationToken cancellationToken)
        {
            foreach (var silo in cluster.Cluster.Silos.Cast<InProcessSiloHandle>().Reverse().ToList())
            {
                await silo.SiloHost.Services.GetRequiredService<IObjectSink>().ApplyAsync(changes, cancellationToken);
            }
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo) => silo.ConfigureServices(services =>
        {
            services.AddSingleton(new MeshSettings());
            services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new XdsOptions { DebounceMilliseconds = 0 }));
            services.AddSingleton<XdsHub>();
            services.AddHostedService(sp => sp.GetRequiredService<XdsHub>());
            services.AddControlPlaneGrains();
            services.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
        });
    }
}
