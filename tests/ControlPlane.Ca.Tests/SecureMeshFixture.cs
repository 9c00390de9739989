using System.Net;
using ControlPlane.Testing;

namespace ControlPlane.Ca.Tests;

/// <summary>
/// A control plane on a config directory of two nodes, each with a ztunnel, and a static token file
/// standing in for the service account tokens of those pods (shared by a test class).
/// </summary>
public sealed class SecureMeshFixture : IAsyncLifetime
{
    public const string ZtunnelA = "ztunnel-a-token";
    public const string ZtunnelB = "ztunnel-b-token";
    public const string Web = "web-token";
    public const string Stale = "stale-ztunnel-token";

    private const string Manifests = """
        apiVersion: v1
        kind: Namespace
        metadata: { name: istio-system }
        ---
        apiVersion: v1
        kind: Namespace
        metadata: { name: shop }
        ---
        apiVersion: v1
        kind: Pod
        metadata: { name: ztunnel-a, namespace: istio-system, uid: uid-za }
        spec: { nodeName: node-a, serviceAccountName: ztunnel }
        status: { phase: Running, podIP: 10.0.0.9 }
        ---
        apiVersion: v1
        kind: Pod
        metadata: { name: ztunnel-b, namespace: istio-system, uid: uid-zb }
        spec: { nodeName: node-b, serviceAccountName: ztunnel }
        status: { phase: Running, podIP: 10.0.1.9 }
        ---
        apiVersion: v1
        kind: Pod
        metadata: { name: web-1, namespace: shop, uid: uid-web }
        spec: { nodeName: node-a, serviceAccountName: web }
        status: { phase: Running, podIP: 10.0.0.20 }
        ---
        apiVersion: v1
        kind: Pod
        metadata: { name: db-1, namespace: shop, uid: uid-db }
        spec: { nodeName: node-b, serviceAccountName: db }
        status: { phase: Running, podIP: 10.0.1.21 }
        """;

    private const string Tokens = $"""
        # token               account                 pod         uid
        {ZtunnelA}            istio-system/ztunnel    ztunnel-a   uid-za
        {ZtunnelB}            istio-system/ztunnel    ztunnel-b   uid-zb
        {Web}                 shop/web                web-1       uid-web
        {Stale}               istio-system/ztunnel    ztunnel-a   uid-of-a-deleted-pod
        """;

    private string _directory = string.Empty;

    public TestControlPlane Server { get; private set; } = null!;

    /// <summary>Where the control plane wrote the mesh root (<c>--root-cert-file</c>).</summary>
    public string RootCertFile => Path.Combine(_directory, "out", "root-cert.pem");

    public async Task InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("secure-mesh-").FullName;
        var config = Path.Combine(_directory, "config");
        Directory.CreateDirectory(config);
        await File.WriteAllTextAsync(Path.Combine(config, "mesh.yaml"), Manifests);
        var tokens = Path.Combine(_directory, "tokens");
        await File.WriteAllTextAsync(tokens, Tokens);
        Server = await TestControlPlane.StartAsync(
            "--config-dir", config,
            "--token-file", tokens,
            "--root-cert-file", RootCertFile,
            "--serving-cert-sans", "controlplane.example.com",
            "--Xds:DebounceMilliseconds=0");
        await WaitReadyAsync(Server);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Waits (generously) for /ready: the CA is up and the config directory is in.</summary>
    public static async Task WaitReadyAsync(TestControlPlane server)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var response = await server.Http.GetAsync("/ready");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"not ready: {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(50);
        }
    }
}
