using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using ControlPlane.Ca;
using ControlPlane.Ca.Signing;
using ControlPlane.Host;
using ControlPlane.Xds.Hub;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Configuration;

namespace ControlPlane.Testing;

/// <summary>
/// The real control plane host, started in-process on free loopback ports, for tests and benchmarks.
/// The secure port is on, with a self-signed root in a temporary directory of its own (removed on
/// dispose) unless the flags say otherwise.
/// </summary>
public sealed class TestControlPlane : IAsyncDisposable
{
    /// <summary>The host name proxies dial and the serving certificate names.</summary>
    public const string IstiodHost = "istiod.istio-system.svc";

    private readonly string _stateDirectory;

    private TestControlPlane(WebApplication app, int xdsPort, int httpPort, int monitoringPort, string stateDirectory)
    {
        App = app;
        XdsPort = xdsPort;
        HttpPort = httpPort;
        MonitoringPort = monitoringPort;
        _stateDirectory = stateDirectory;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
    }

    public WebApplication App { get; }

    public int XdsPort { get; }

    public int HttpPort { get; }

    public int MonitoringPort { get; }

    /// <summary>Client for the HTTP port (/ready, /debug).</summary>
    public HttpClient Http { get; }

    public XdsHub Hub => App.Services.GetRequiredService<XdsHub>();

    /// <summary>The secure (TLS) port; 0 when the flags disabled it.</summary>
    public int SecurePort => (App.Configuration.GetSection(CaOptions.Section).Get<CaOptions>() ?? new CaOptions()).SecurePort;

    /// <summary>The mesh roots (PEM) clients of the secure port trust.</summary>
    public string RootCertificatePem => App.Services.GetService<CaProvider>()?.Current?.RootBundlePem
        ?? throw new InvalidOperationException("the CA is not loaded (is the secure port disabled?)");

    /// <summary>A scratch directory of this instance (removed on dispose), e.g. for token files.</summary>
    public string StateDirectory => _stateDirectory;

    public Uri XdsAddress => new($"http://127.0.0.1:{XdsPort}");

    /// <summary>Starts the host; <paramref name="args"/> are extra command-line flags.</summary>
    public static async Task<TestControlPlane> StartAsync(params string[] args) =>
        await StartAsync(args, configure: null).ConfigureAwait(false);

    public static async Task<TestControlPlane> StartAsync(string[] args, Action<WebApplicationBuilder>? configure)
    {
        // The free ports are found before the host binds them, so another process (tests run in
        // parallel on a shared machine) can take one in between: start again on fresh ports.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryStartAsync(args, configure).ConfigureAwait(false);
            }
            catch (Exception ex) when (attempt < 5 && IsAddressInUse(ex))
            {
            }
        }
    }

    private static async Task<TestControlPlane> TryStartAsync(string[] args, Action<WebApplicationBuilder>? configure)
    {
        var xds = FreePort();
        var http = FreePort();
        var monitoring = FreePort();
        var state = Directory.CreateTempSubdirectory("controlplane-test-").FullName;
        string[] all =
        [
            "--secure-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--ca-dir", Path.Combine(state, "ca"),
            "--cacerts-dir", Path.Combine(state, "cacerts"),
            "--listen-address", "127.0.0.1",
            "--xds-port", xds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--http-port", http.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--monitoring-port", monitoring.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--silo-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--gateway-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Hermetic even when the tests run in a pod: a cluster is only watched when a test passes --kubeconfig.
            "--Kubernetes:InClusterConfig=false",
            .. args,
        ];
        var app = ControlPlaneHost.Build(all, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
            configure?.Invoke(builder);
        });
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            Directory.Delete(state, recursive: true);
            throw;
        }
        return new TestControlPlane(app, xds, http, monitoring, state);
    }

    private static bool IsAddressInUse(Exception ex)
    {
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is Microsoft.AspNetCore.Connections.AddressInUseException
                || inner is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A channel to the plaintext xDS port, with room for large responses.</summary>
    public GrpcChannel CreateXdsChannel() =>
        GrpcChannel.ForAddress(XdsAddress, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = 512 * 1024 * 1024,
            MaxSendMessageSize = 512 * 1024 * 1024,
        });

    /// <summary>
    /// A channel to the secure port as a proxy dials it: <c>https://istiod.istio-system.svc</c> (connected
    /// to loopback), trusting only <paramref name="rootPem"/> (default: this mesh's roots), with an
    /// optional bearer token and <c>clusterid</c> header on every call and an optional client certificate.
    /// </summary>
    public GrpcChannel CreateSecureChannel(string? token = null, string? clusterId = null, X509Certificate2? clientCertificate = null, string? rootPem = null)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(rootPem ?? RootCertificatePem);
        var port = SecurePort;
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(roots);
        var sockets = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = policy,
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
            },
            EnableMultipleHttp2Connections = true,
        };
        HttpMessageHandler handler = token is null && clusterId is null ? sockets : new HeaderHandler(token, clusterId) { InnerHandler = sockets };
        return GrpcChannel.ForAddress($"https://{IstiodHost}:{port}", new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = 512 * 1024 * 1024,
            MaxSendMessageSize = 512 * 1024 * 1024,
        });
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
        Directory.Delete(_stateDirectory, recursive: true);
    }

    /// <summary>Adds the headers ztunnel sends on every call: <c>authorization: Bearer</c> and <c>clusterid</c>.</summary>
    private sealed class HeaderHandler(string? token, string? clusterId) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (token is not null)
            {
                request.Headers.TryAddWithoutValidation("authorization", $"Bearer {token}");
            }
            if (clusterId is not null)
            {
                request.Headers.TryAddWithoutValidation("clusterid", clusterId);
            }
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
