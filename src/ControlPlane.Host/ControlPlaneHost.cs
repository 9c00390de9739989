using System.Net;
using ControlPlane.Host.Endpoints;
using ControlPlane.Host.Options;
using ControlPlane.Xds;
using ControlPlane.Xds.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace ControlPlane.Host;

/// <summary>
/// Builds the control plane process: the xDS port (h2c gRPC), the HTTP port (/ready, /debug) and the
/// monitoring port (/metrics). Each path answers only on its own port.
/// </summary>
public static class ControlPlaneHost
{
    public const string XdsServerCondition = "xds-server";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        CommandLine.Validate(args);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args });
        builder.Configuration.AddCommandLine(args, new Dictionary<string, string>(CommandLine.SwitchMappings));

        builder.Services.AddOptions<PortOptions>().Bind(builder.Configuration.GetSection(PortOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<MeshOptions>().Bind(builder.Configuration.GetSection(MeshOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<Readiness>();
        builder.Services.AddXds(builder.Configuration);

        var host = builder.Configuration.GetSection(PortOptions.Section).Get<PortOptions>() ?? new PortOptions();
        var xds = builder.Configuration.GetSection(XdsOptions.Section).Get<XdsOptions>() ?? new XdsOptions();
        var address = IPAddress.Parse(host.ListenAddress);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            if (xds.Port != 0)
            {
                kestrel.Listen(address, xds.Port, o => o.Protocols = HttpProtocols.Http2);
            }
            kestrel.Listen(address, host.HttpPort, o => o.Protocols = HttpProtocols.Http1);
            kestrel.Listen(address, host.MonitoringPort, o => o.Protocols = HttpProtocols.Http1);
        });
        configure?.Invoke(builder);

        var app = builder.Build();
        var readiness = app.Services.GetRequiredService<Readiness>();
        readiness.Register(XdsServerCondition);
        app.Lifetime.ApplicationStarted.Register(() => readiness.Complete(XdsServerCondition));

        var ports = app.Services.GetRequiredService<IOptions<PortOptions>>().Value;
        var xdsPort = app.Services.GetRequiredService<IOptions<XdsOptions>>().Value.Port;
        app.Use((context, next) =>
        {
            var port = context.Connection.LocalPort;
            var path = context.Request.Path;
            var allowed = port == xdsPort
                ? context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true
                : port == ports.MonitoringPort
                    ? path.StartsWithSegments("/metrics")
                    : port == ports.HttpPort && (path.StartsWithSegments("/ready") || path.StartsWithSegments("/debug"));
            if (!allowed)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            return next(context);
        });
        app.MapGrpcService<AggregatedDiscoveryServer>();
        DebugEndpoints.Map(app);
        MetricsEndpoint.Map(app);
        return app;
    }
}
