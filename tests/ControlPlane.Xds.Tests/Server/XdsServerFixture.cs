using ControlPlane.Testing;
using ControlPlane.Xds.Compatibility;
using ControlPlane.Xds.Proxy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Xds.Tests.Server;

/// <summary>
/// One in-process control plane (no sources) shared by a test class; tests publish straight into its hub.
/// Pushes are not debounced, proxies are served from the scope in their <c>TEST_SCOPE</c> metadata (and
/// at the compatibility level in their <c>TEST_LEVEL</c>), and the request limits are small enough for
/// tests to exceed.
/// </summary>
public class XdsServerFixture : IAsyncLifetime
{
    public const int MaxResourceNamesPerRequest = 1_000;
    public const int MaxReceiveMessageBytes = 4 * 1024 * 1024;
    public const int MaxSubscribedNamesPerType = 2_000;
    public const int MaxTypesPerStream = 8;

    public TestControlPlane Server { get; private set; } = null!;

    /// <summary>Every log line of the server at Information and above.</summary>
    public LogCapture Logs { get; } = new();

    protected virtual IEnumerable<string> Args =>
    [
        "--Xds:DebounceMilliseconds=0",
        $"--Xds:MaxResourceNamesPerRequest={MaxResourceNamesPerRequest}",
        $"--Xds:MaxReceiveMessageBytes={MaxReceiveMessageBytes}",
        $"--Xds:MaxSubscribedNamesPerType={MaxSubscribedNamesPerType}",
        $"--Xds:MaxTypesPerStream={MaxTypesPerStream}",
    ];

    public async Task InitializeAsync() =>
        Server = await TestControlPlane.StartAsync([.. Args], builder =>
        {
            builder.Services.AddSingleton<IScopeSelector, TestScopeSelector>();
            builder.Services.AddSingleton<IResourceCompatibility, TestCompatibility>();
            builder.Logging.AddProvider(Logs);
            builder.Logging.AddFilter<LogCapture>("ControlPlane", LogLevel.Information);
            builder.Logging.AddFilter<LogCapture>("Grpc", LogLevel.Information);
        });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
