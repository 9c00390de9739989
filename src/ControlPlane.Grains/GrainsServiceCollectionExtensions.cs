using ControlPlane.Ambient.Model;
using ControlPlane.Grains.Compatibility;
using ControlPlane.Grains.Distribution;
using ControlPlane.Grains.Namespaces;
using ControlPlane.Grains.Routing;
using ControlPlane.Xds.Compatibility;
using Microsoft.Extensions.DependencyInjection;

namespace ControlPlane.Grains;

public static class GrainsServiceCollectionExtensions
{
    /// <summary>
    /// Registers what a silo of the control plane needs besides the grains themselves: the bridge from
    /// the distribution grain to this silo's xDS hub, the local store grains seed themselves from, the
    /// sink sources deliver changes to (register each source's initial list with
    /// <see cref="LocalObjectStore.TrackSource"/> before the silo starts), the version gating that
    /// serves older ztunnels resources they understand, and the namespace grains' build counters.
    /// </summary>
    public static IServiceCollection AddControlPlaneGrains(this IServiceCollection services)
    {
        services.AddSingleton<HubBridge>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<HubBridge>());
        services.AddSingleton<LocalObjectStore>();
        services.AddSingleton<GrainObjectSink>();
        services.AddSingleton<IObjectSink>(sp => sp.GetRequiredService<GrainObjectSink>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<GrainObjectSink>());
        services.AddSingleton<IResourceCompatibility, AmbientCompatibility>();
        services.AddSingleton<NamespaceBuildMetrics>();
        return services;
    }
}
