using System.Net;
using System.Net.Sockets;
using ControlPlane.Host;
using ControlPlane.Xds.Hub;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Testing;

/// <summary>
/// The real control plane host, started in-process on free loopback ports, for tests and benchmarks.
/// </summary>
public sealed class TestControlPlane : IAsyncDisposable
{
    private TestControlPlane(WebApplication app, int xdsPort, int httpPort, int monitoringPort)
    {
        App = app;
        XdsPort = xdsPort;
        HttpPort = httpPort;
        MonitoringPort = monitoringPort;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
    }

    public WebApplication App { get; }

    public int XdsPort { get; }

    public int HttpPort { get; }

    public int MonitoringPort { get; }

    /// <summary>Client for the HTTP port (/ready, /debug).</summary>
    public HttpClient Http { get; }

    public XdsHub Hub => App.Services.GetRequiredService<XdsHub>();

    public Uri XdsAddress => new($"http://127.0.0.1:{XdsPort}");

    /// <summary>Starts the host; <paramref name="args"/> are extra command-line flags.</summary>
    public static async Task<TestControlPlane> StartAsync(params string[] args) =>
        await StartAsync(args, configure: null).ConfigureAwait(false);

    public static async Task<TestControlPlane> StartAsync(string[] args, Action<WebApplicationBuilder>? configure)
    {
        var xds = FreePort();
        var http = FreePort();
        var monitoring = FreePort();
        string[] all =
        [
            "--listen-address", "127.0.0.1",
            "--xds-port", xds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--http-port", http.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--monitoring-port", monitoring.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--silo-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--gateway-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. args,
        ];
        var app = ControlPlaneHost.Build(all, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
            configure?.Invoke(builder);
        });
        await app.StartAsync().ConfigureAwait(false);
        return new TestControlPlane(app, xds, http, monitoring);
    }

    /// <summary>A channel to the plaintext xDS port, with room for large responses.</summary>
    public GrpcChannel CreateXdsChannel() =>
        GrpcChannel.ForAddress(XdsAddress, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = 512 * 1024 * 1024,
            MaxSendMessageSize = 512 * 1024 * 1024,
        });

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
