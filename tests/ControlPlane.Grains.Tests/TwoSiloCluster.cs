using ControlPlane.Ambient.Model;
using ControlPlane.Xds;
using ControlPlane.Xds.Hub;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace ControlPlane.Grains.Tests;

/// <summary>An in-process Orleans cluster of two silos, each with its own xDS hub, as replicas run.</summary>
public sealed class TwoSiloCluster : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>The sink of the first silo, as its sources would use it.</summary>
    public IObjectSink Sink => Services(0).GetRequiredService<IObjectSink>();

    public XdsHub Hub(int silo) => Services(silo).GetRequiredService<XdsHub>();

    public IServiceProvider Services(int silo) => ((InProcessSiloHandle)Cluster.Silos[silo]).SiloHost.Services;

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo) => silo.ConfigureServices(services =>
        {
            services.AddSingleton(new MeshSettings());
            services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new XdsOptions { DebounceMilliseconds = 0 }));
            services.AddSingleton<XdsHub>();
            services.AddHostedService(sp => sp.GetRequiredService<XdsHub>());
            services.AddControlPlaneGrains();
        });
    }
}
