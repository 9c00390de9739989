using ControlPlane.Xds.Compatibility;
using ControlPlane.Xds.Hub;
using ControlPlane.Xds.Proxy;
using ControlPlane.Xds.Security;
using ControlPlane.Xds.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace ControlPlane.Xds;

public static class XdsServiceCollectionExtensions
{
    /// <summary>Registers the hub, the ADS service and their options (section <c>Xds</c>).</summary>
    public static IServiceCollection AddXds(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<XdsOptions>()
            .Bind(configuration.GetSection(XdsOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<XdsHub>();
        services.AddHostedService(sp => sp.GetRequiredService<XdsHub>());
        services.AddSingleton<ConnectionRegistry>();
        services.AddHostedService<StreamDrain>();
        services.AddSingleton<XdsMetrics>();
        services.TryAddSingleton<IScopeSelector, MeshWideScopeSelector>();
        services.TryAddSingleton<IStreamAuthorizer, AllowAllStreamAuthorizer>();
        services.TryAddSingleton<IResourceCompatibility, LatestOnlyCompatibility>();
        services.AddGrpc(options =>
        {
            var xds = configuration.GetSection(XdsOptions.Section).Get<XdsOptions>() ?? new XdsOptions();
            options.MaxReceiveMessageSize = xds.MaxReceiveMessageBytes;
            options.MaxSendMessageSize = null;
            options.EnableDetailedErrors = false;
        });
        return services;
    }
}
