using ControlPlane.Testing;
using ControlPlane.Testing.Xds;
using ControlPlane.Xds;
using Istio.Workload;

namespace ControlPlane.Host.Tests.Replicas;

/// <summary>
/// Two control plane replicas (Orleans silos) clustered through a real Redis, as they run behind one
/// Service: config loaded by one replica's source is served by the other's xDS port.
/// </summary>
public sealed class RedisReplicaTests : IAsyncLifetime
{
    private const string PodUid = "Kubernetes//Pod/shop/web-0";
    private RedisServer _redis = null!;
    private string _configDir = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _configDir = Directory.CreateTempSubdirectory("controlplane-replicas-").FullName;
        await File.WriteAllTextAsync(Path.Combine(_configDir, "shop.yaml"), Shop(version: "v1"));
    }

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        Directory.Delete(_configDir, recursive: true);
    }

    [Fact]
    public async Task ConfigLoadedByOneReplica_IsServedAndUpdatedByTheOther()
    {
        var cluster = $"--Silo:ClusterId=replicas-{Guid.NewGuid():n}";
        await using var loader = await TestControlPlane.StartAsync("--redis", _redis.ConnectionString, cluster, "--config-dir", _configDir);
        await using var server = await TestControlPlane.StartAsync("--redis", _redis.ConnectionString, cluster);
        using var channel = server.CreateXdsChannel();

        var ztunnel = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, XdsNodes.Ztunnel());
        await using (ztunnel)
        {
            var workload = await ExpectWorkloadAsync(ztunnel, w => w.CanonicalRevision == "v1");
            Assert.Equal("10.244.1.5", new System.Net.IPAddress(workload.Addresses.Single().Span).ToString());

            await File.WriteAllTextAsync(Path.Combine(_configDir, "shop.yaml"), Shop(version: "v2"));
            var update = await ExpectWorkloadAsync(ztunnel, w => w.CanonicalRevision == "v2");
            Assert.Equal(PodUid, update.Uid);
        }
    }

    /// <summary>Acks Address responses until the pod's workload satisfies <paramref name="condition"/>.</summary>
    private static async Task<Workload> ExpectWorkloadAsync(DeltaAdsTestClient ztunnel, Func<Workload, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var remaining = deadline - DateTime.UtcNow;
            Assert.True(remaining > TimeSpan.Zero, "the replica never served the expected workload");
            var response = await ztunnel.ExpectResponseAsync(timeout: remaining);
            await ztunnel.AckAsync(response);
            foreach (var resource in response.Resources)
            {
                if (resource.Name == PodUid && Address.Parser.ParseFrom(resource.Resource_.Value).Workload is { } workload && condition(workload))
                {
                    return workload;
                }
            }
        }
    }

    private static string Shop(string version) => $"""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels:
            istio.io/dataplane-mode: ambient
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: shop
        spec:
          selector:
            app: web
          clusterIP: 10.96.0.10
          ports:
          - name: http
            port: 80
            targetPort: 8080
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: web-0
          namespace: shop
          labels:
            app: web
            version: {version}
          annotations:
            ambient.istio.io/redirection: enabled
        spec:
          nodeName: node-a
          serviceAccountName: web
        status:
          phase: Running
          podIP: 10.244.1.5
          conditions:
          - type: Ready
            status: "True"
        """;
}
