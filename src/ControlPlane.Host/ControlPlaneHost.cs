using System.Net;
using ControlPlane.Ambient.Model;
using ControlPlane.Ca;
using ControlPlane.Ca.Authorization;
using ControlPlane.Ca.Distribution;
using ControlPlane.Ca.Server;
using ControlPlane.Ca.Serving;
using ControlPlane.Grains;
using ControlPlane.Grains.Distribution;
using ControlPlane.Grains.Routing;
using ControlPlane.Host.Endpoints;
using ControlPlane.Host.Options;
using ControlPlane.Kubernetes;
using ControlPlane.Kubernetes.Clusters;
using ControlPlane.Kubernetes.ConfigDirectory;
using ControlPlane.Xds;
using ControlPlane.Xds.Security;
using ControlPlane.Xds.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ControlPlane.Host;

/// <summary>
/// Builds the control plane process: an Orleans silo holding the grains, the sources feeding them, the
/// plaintext xDS port (h2c gRPC), the secure port (TLS gRPC: authenticated xDS and the CA), the HTTP
/// port (/ready, /debug) and the monitoring port (/metrics). Each path answers only on its own port.
/// </summary>
public static class ControlPlaneHost
{
    public const string XdsServerCondition = "xds-server";
    public const string ConfigDirectoryCondition = "config-dir";
    public const string CaCondition = "ca";

    /// <summary>The sources' initial content went through the grains into this silo's hub.</summary>
    public const string HubCondition = "hub";

    /// <summary>Prefix of the readiness condition of each local informer, e.g. <c>kubernetes/pods</c>.</summary>
    public const string KubernetesConditionPrefix = "kubernetes/";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        CommandLine.Validate(args);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args });
        builder.Configuration.AddCommandLine(args, new Dictionary<string, string>(CommandLine.SwitchMappings));
        var configuration = builder.Configuration;
        // Orleans is chatty at Information; its warnings and errors still show.
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        var services = builder.Services;

        services.AddOptions<PortOptions>().Bind(configuration.GetSection(PortOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MeshOptions>().Bind(configuration.GetSection(MeshOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SiloOptions>().Bind(configuration.GetSection(SiloOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ConfigDirectoryOptions>().Bind(configuration.GetSection(ConfigDirectoryOptions.Section));
        services.AddOptions<KubernetesOptions>().Bind(configuration.GetSection(KubernetesOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<MeshOptions>>().Value.ToSettings());
        services.AddSingleton<Readiness>();
        services.AddXds(configuration);
        services.AddControlPlaneGrains();

        var ca = configuration.GetSection(CaOptions.Section).Get<CaOptions>() ?? new CaOptions();
        if (ca.SecurePort != 0)
        {
            services.AddIstioCa(configuration);
            // Sources feed the CA's pod index (node authorization) and namespace list (root ConfigMaps)
            // along with the grains.
            services.Replace(ServiceDescriptor.Singleton<IObjectSink>(sp => new CompositeObjectSink(
            [
                sp.GetRequiredService<PodIndex>(),
                sp.GetRequiredService<RootCertConfigMapPublisher>(),
                sp.GetRequiredService<GrainObjectSink>(),
            ])));
            services.Replace(ServiceDescriptor.Singleton<IStreamAuthorizer>(sp =>
                new SecurePortStreamAuthorizer(ca.SecurePort, sp.GetRequiredService<MeshStreamAuthorizer>())));
        }

        var silo = configuration.GetSection(SiloOptions.Section).Get<SiloOptions>() ?? new SiloOptions();
        builder.UseOrleans(orleans =>
        {
            var advertised = IPAddress.Parse(silo.AdvertisedAddress);
            if (silo.RedisConnectionString.Length > 0)
            {
                orleans.UseRedisClustering(silo.RedisConnectionString);
                orleans.ConfigureEndpoints(advertised, silo.SiloPort, silo.GatewayPort, listenOnAnyHostAddress: true);
                orleans.Configure<Orleans.Configuration.ClusterOptions>(o =>
                {
                    o.ClusterId = silo.ClusterId;
                    o.ServiceId = silo.ClusterId;
                });
            }
            else
            {
                var primary = new IPEndPoint(IPAddress.Loopback, silo.PrimarySiloPort == 0 ? silo.SiloPort : silo.PrimarySiloPort);
                orleans.UseLocalhostClustering(silo.SiloPort, silo.GatewayPort, primary, silo.ClusterId, silo.ClusterId);
            }
        });

        var configDirectory = configuration.GetSection(ConfigDirectoryOptions.Section).Get<ConfigDirectoryOptions>() ?? new ConfigDirectoryOptions();
        var kubernetes = configuration.GetSection(KubernetesOptions.Section).Get<KubernetesOptions>() ?? new KubernetesOptions();
        var source = SourceSelector.Select(configDirectory.Path, kubernetes.KubeConfig, kubernetes.InClusterConfig, Kubeconfigs.InClusterAvailable);
        services.AddSingleton(new SourceSelection(source));
        k8s.KubernetesClientConfiguration? local = null;
        switch (source)
        {
            case SourceMode.ConfigDirectory:
                services.AddSingleton<ConfigDirectorySource>();
                services.AddHostedService(sp => sp.GetRequiredService<ConfigDirectorySource>());
                break;
            case SourceMode.KubeconfigFile or SourceMode.InCluster:
                try
                {
                    local = source == SourceMode.InCluster ? Kubeconfigs.InCluster() : Kubeconfigs.FromFile(kubernetes.KubeConfig, kubernetes.Context);
                }
                catch (KubeconfigException ex)
                {
                    throw new ArgumentException(ex.Message, ex);
                }
                services.AddSingleton<IClusterClients>(sp => sp.GetRequiredService<ClusterRegistry>());
                services.AddSingleton<ClusterFactory>();
                services.AddSingleton<RemoteSecretController>();
                services.AddSingleton<KubernetesSource>();
                services.AddHostedService(sp => sp.GetRequiredService<KubernetesSource>());
                break;
        }
        services.AddSingleton(sp => new ClusterRegistry(
            sp.GetRequiredService<MeshSettings>(),
            local is null ? null : ClusterFactory.Connect(local, sp.GetRequiredService<IOptions<KubernetesOptions>>().Value)));

        var ports = configuration.GetSection(PortOptions.Section).Get<PortOptions>() ?? new PortOptions();
        var xds = configuration.GetSection(XdsOptions.Section).Get<XdsOptions>() ?? new XdsOptions();
        var address = IPAddress.Parse(ports.ListenAddress);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            if (xds.Port != 0)
            {
                kestrel.Listen(address, xds.Port, o => o.Protocols = HttpProtocols.Http2);
            }
            if (ca.SecurePort != 0)
            {
                var tls = kestrel.ApplicationServices.GetRequiredService<SecurePortTls>();
                kestrel.Listen(address, ca.SecurePort, o =>
                {
                    o.Protocols = HttpProtocols.Http2;
                    o.UseHttps(new TlsHandshakeCallbackOptions
                    {
                        OnConnection = context => tls.GetServerOptionsAsync(context.CancellationToken),
                    });
                });
            }
            kestrel.Listen(address, ports.HttpPort, o => o.Protocols = HttpProtocols.Http1);
            kestrel.Listen(address, ports.MonitoringPort, o => o.Protocols = HttpProtocols.Http1);
        });
        configure?.Invoke(builder);

        var app = builder.Build();
        TrackReadiness(app);
        RestrictPathsToPorts(app, ports.HttpPort, ports.MonitoringPort, xds.Port, ca.SecurePort);
        app.MapGrpcService<AggregatedDiscoveryServer>();
        if (ca.SecurePort != 0)
        {
            app.MapGrpcService<IstioCertificateServer>();
        }
        DebugEndpoints.Map(app);
        MetricsEndpoint.Map(app);
        return app;
    }

    private static void TrackReadiness(WebApplication app)
    {
        var readiness = app.Services.GetRequiredService<Readiness>();
        readiness.Register(XdsServerCondition);
        app.Lifetime.ApplicationStarted.Register(() => readiness.Complete(XdsServerCondition));
        if (app.Services.GetService<ServingCertificates>() is { } serving)
        {
            readiness.Register(CaCondition);
            serving.GetContextAsync(app.Lifetime.ApplicationStopping).AsTask().ContinueWith(
                t => { if (t.IsCompletedSuccessfully) readiness.Complete(CaCondition); },
                TaskScheduler.Default);
        }
        // Grains seed themselves from this silo's store only once it holds every tracked source's initial list.
        var store = app.Services.GetRequiredService<LocalObjectStore>();
        var sources = false;
        if (app.Services.GetService<ConfigDirectorySource>() is { } source)
        {
            store.TrackSource(ConfigDirectoryCondition, source.InitialSync);
            CompleteWhenDone(readiness, ConfigDirectoryCondition, source.InitialSync);
            sources = true;
        }
        if (app.Services.GetService<KubernetesSource>() is { } kubernetes)
        {
            // The local cluster's initial lists only: a remote cluster may stay unreachable, and every
            // replica would then wait for it.
            store.TrackSource(KubernetesConditionPrefix + kubernetes.LocalCluster.Id, kubernetes.LocalCluster.InitialSync);
            foreach (var informer in kubernetes.LocalCluster.Informers)
            {
                CompleteWhenDone(readiness, KubernetesConditionPrefix + informer.Resource, informer.Synced);
            }
            sources = true;
        }
        if (sources)
        {
            CompleteWhenInHub(app, readiness);
        }
    }

    /// <summary>A source's condition: its initial list is in this silo's store.</summary>
    private static void CompleteWhenDone(Readiness readiness, string condition, Task initialSync)
    {
        readiness.Register(condition);
        initialSync.ContinueWith(
            t => { if (t.IsCompletedSuccessfully) readiness.Complete(condition); },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    /// <summary>
    /// Ready once the store holds every source's initial list, every grain it names is seeded, and this
    /// silo's hub holds what they published.
    /// </summary>
    private static void CompleteWhenInHub(WebApplication app, Readiness readiness)
    {
        readiness.Register(HubCondition);
        var sink = app.Services.GetRequiredService<GrainObjectSink>();
        var bridge = app.Services.GetRequiredService<HubBridge>();
        var stopping = app.Lifetime.ApplicationStopping;
        _ = Task.Run(
            async () =>
            {
                while (!stopping.IsCancellationRequested)
                {
                    try
                    {
                        await sink.GrainsSeeded.WaitAsync(stopping).ConfigureAwait(false);
                        await bridge.WaitUntilCurrentAsync(stopping).ConfigureAwait(false);
                        readiness.Complete(HubCondition);
                        return;
                    }
                    catch (Exception ex) when (ex is OrleansException or TimeoutException)
                    {
                        // The grains are not reachable yet: try again.
                        await Task.Delay(TimeSpan.FromSeconds(1), stopping).ConfigureAwait(false);
                    }
                }
            },
            CancellationToken.None);
    }

    /// <summary>
    /// gRPC answers on the xDS ports only, and the CA on the secure port only: tokens and CSRs never
    /// travel in plaintext.
    /// </summary>
    private static void RestrictPathsToPorts(WebApplication app, int httpPort, int monitoringPort, int xdsPort, int securePort) =>
        app.Use((context, next) =>
        {
            var port = context.Connection.LocalPort;
            var path = context.Request.Path;
            var grpc = context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true;
            var allowed = port == securePort
                ? grpc
                : port == xdsPort
                ? grpc && !path.StartsWithSegments("/istio.v1.auth.IstioCertificateService")
                : port == monitoringPort
                    ? path.StartsWithSegments("/metrics")
                    : port == httpPort && (path.StartsWithSegments("/ready") || path.StartsWithSegments("/debug"));
            if (!allowed)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            return next(context);
        });
}
