using ControlPlane.Ambient.Model;
using ControlPlane.Ca.Authentication;
using ControlPlane.Ca.Authorization;
using ControlPlane.Ca.Distribution;
using ControlPlane.Ca.Server;
using ControlPlane.Ca.Serving;
using ControlPlane.Ca.Signing;
using ControlPlane.Kubernetes.Clusters;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ControlPlane.Ca;

public static class CaServiceCollectionExtensions
{
    /// <summary>Largest CSR call accepted; real ones are a few KiB.</summary>
    public const int MaxRequestBytes = 64 * 1024;

    /// <summary>
    /// Registers the CA (options section <c>Ca</c>): loading the root at start, the serving certificate
    /// and its renewal, root distribution, caller authentication, node authorization and its pod index,
    /// the <c>IstioCertificateService</c>, and <see cref="MeshStreamAuthorizer"/> for the host to put in
    /// front of xDS streams on the secure port. When an <see cref="IClusterClients"/> is registered
    /// (Kubernetes), tokens are checked by TokenReview, the self-signed root lives in
    /// <c>istio-ca-secret</c> and the root is published as the <c>istio-ca-root-cert</c> ConfigMaps.
    /// The host delivers source changes to <see cref="PodIndex"/> and
    /// <see cref="RootCertConfigMapPublisher"/> besides the grains.
    /// </summary>
    public static IServiceCollection AddIstioCa(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CaOptions>()
            .Bind(configuration.GetSection(CaOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<CaOptions>, CaOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<CaProvider>();
        services.AddSingleton<CaMetrics>();
        services.AddSingleton<PodIndex>();
        services.AddSingleton<NodeAuthorizer>();
        services.AddSingleton<ClientCertificateAuthenticator>();
        services.AddSingleton(sp =>
        {
            var authenticators = new List<ICallerAuthenticator> { sp.GetRequiredService<ClientCertificateAuthenticator>() };
            var mesh = sp.GetRequiredService<MeshSettings>();
            var tokenFile = sp.GetRequiredService<IOptions<CaOptions>>().Value.TokenFile;
            if (tokenFile.Length > 0)
            {
                authenticators.Add(new StaticTokenAuthenticator(StaticTokenFile.Load(tokenFile, mesh.TrustDomain), mesh));
            }
            if (sp.GetService<IClusterClients>() is { } clusters)
            {
                authenticators.Add(new KubernetesTokenAuthenticator(clusters, mesh, sp.GetRequiredService<IOptions<CaOptions>>()));
            }
            return new CallerAuthenticator(authenticators);
        });
        services.AddSingleton<MeshStreamAuthorizer>();
        services.AddSingleton<ServingCertificates>();
        services.AddSingleton<SecurePortTls>();
        services.AddSingleton<RootCertConfigMapPublisher>();

        // Order matters: the CA is loaded before anything that serves or distributes it starts.
        services.AddHostedService<CaBootstrapper>();
        services.AddHostedService<RootCertFileWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<ServingCertificates>());
        services.AddHostedService(sp => sp.GetRequiredService<RootCertConfigMapPublisher>());

        services.AddGrpc().AddServiceOptions<IstioCertificateServer>(o => o.MaxReceiveMessageSize = MaxRequestBytes);
        return services;
    }
}
