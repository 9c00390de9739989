using ControlPlane.Ambient.Model;
using ControlPlane.Kubernetes.Clusters;
using ControlPlane.Kubernetes.Conversion;
using ControlPlane.Testing;
using ControlPlane.Testing.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

namespace ControlPlane.Ca.Tests;

/// <summary>
/// A control plane in Kubernetes mode against the API server double: tokens are checked by TokenReview,
/// the root lives in <c>istio-ca-secret</c>. Objects reach the control plane's sink as the informers
/// deliver them (converted from the same YAML the double holds).
/// </summary>
public sealed class KubernetesMeshFixture : IAsyncLifetime
{
    public const string ZtunnelA = "kube-ztunnel-a";
    public const string Web = "kube-web";
    public const string WrongAudience = "kube-web-wrong-audience";
    public const string Expired = "kube-web-expired";
    public const string NotAServiceAccount = "kube-alice";

    private const string Objects = """
        apiVersion: v1
        kind: Namespace
        metadata: { name: istio-system }
        ---
        apiVersion: v1
        kind: Namespace
        metadata: { name: shop }
        ---
        apiVersion: v1
        kind: Namespace
        metadata: { name: kube-public }
        ---
        apiVersion: v1
        kind: Pod
        metadata: { name: ztunnel-a, namespace: istio-system, uid: 7d1c8a52-0000-4000-8000-00000000000a }
        spec: { nodeName: node-a, serviceAccountName: ztunnel }
        status: { phase: Running, podIP: 10.0.0.9 }
        ---
        apiVersion: v1
        kind: Pod
        metadata: { name: web-1, namespace: shop, uid: 7d1c8a52-0000-4000-8000-0000000000b1 }
        spec: { nodeName: node-a, serviceAccountName: web }
        status: { phase: Running, podIP: 10.0.0.20 }
        ---
        apiVersion: v1
        kind: Pod
        metadata: { name: db-1, namespace: shop, uid: 7d1c8a52-0000-4000-8000-0000000000d1 }
        spec: { nodeName: node-b, serviceAccountName: db }
        status: { phase: Running, podIP: 10.0.1.21 }
        """;

    public KubeApiServerDouble Api { get; private set; } = null!;

    public TestControlPlane Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Api = await KubeApiServerDouble.StartAsync("Kubernetes");
        Api.Apply(Objects);
        Api.AddToken(ZtunnelA, TokenIdentity.ServiceAccount("istio-system", "ztunnel", "ztunnel-a", "7d1c8a52-0000-4000-8000-00000000000a", "istio-ca"));
        Api.AddToken(Web, TokenIdentity.ServiceAccount("shop", "web", "web-1", "7d1c8a52-0000-4000-8000-0000000000b1", "istio-ca"));
        Api.AddToken(WrongAudience, TokenIdentity.ServiceAccount("shop", "web", "web-1", "7d1c8a52-0000-4000-8000-0000000000b1", "https://kubernetes.default.svc.cluster.local"));
        Api.AddToken(Expired, TokenIdentity.ServiceAccount("shop", "web", "web-1", "7d1c8a52-0000-4000-8000-0000000000b1", "istio-ca") with { ExpiresAt = DateTimeOffset.UtcNow.AddHours(-1) });
        Api.AddToken(NotAServiceAccount, new TokenIdentity { Username = "alice", Groups = ["system:authenticated"], Audiences = ["istio-ca"] });
        Server = await StartAsync(Api);
        await DeliverAsync(Server, Objects);
        await SecureMeshFixture.WaitReadyAsync(Server);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Api.DisposeAsync();
    }

    /// <summary>A control plane whose local cluster is <paramref name="api"/>.</summary>
    public static Task<TestControlPlane> StartAsync(KubeApiServerDouble api, params string[] args) =>
        TestControlPlane.StartAsync(["--Xds:DebounceMilliseconds=0", .. args], builder =>
            builder.Services.AddSingleton<IClusterClients>(new SingleClusterClients("Kubernetes", api.CreateClient())));

    /// <summary>Delivers objects to the control plane's sink, as the informers do.</summary>
    public static Task DeliverAsync(TestControlPlane server, string yaml)
    {
        var changes = new List<ObjectChange>();
        foreach (var document in yaml.Split("\n---\n"))
        {
            var kind = document.Contains("kind: Pod", StringComparison.Ordinal) ? "v1/Pod" : "v1/Namespace";
            changes.Add(ObjectChange.Upsert(KubeObjectConverter.Convert(kind, document, "Kubernetes")!));
        }
        return server.App.Services.GetRequiredService<IObjectSink>().ApplyAsync(changes, CancellationToken.None);
    }
}
