using ControlPlane.Ambient.Model;
using ControlPlane.Grains.Distribution;
using ControlPlane.Grains.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ControlPlane.Grains;

public static class GrainsServiceCollectionExtensions
{
    /// <summary>
    /// Registers what a silo of the control plane needs besides the grains themselves: the bridge from
    /// the distribution grain to this silo's xDS hub, and the sink sources deliver changes to.
    /// </summary>
    public static IServiceCollection AddControlPlaneGrains(this IServiceCollection services)
    {
        services.AddSingleton<HubBridge>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<HubBridge>());
        services.AddSingleton<IObjectSink, GrainObjectSink>();
        return services;
    }
}
