using ControlPlane.Testing;

namespace ControlPlane.Xds.Tests.Server;

/// <summary>One in-process control plane (no sources) shared by a test class; tests publish straight into its hub.</summary>
public sealed class XdsServerFixture : IAsyncLifetime
{
    public TestControlPlane Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TestControlPlane.StartAsync("--Xds:DebounceMilliseconds=0");

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
