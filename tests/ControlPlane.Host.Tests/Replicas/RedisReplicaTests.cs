using ControlPlane.Testing;
using ControlPlane.Testing.Xds;
using Istio.Workload;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace ControlPlane.Host.Tests.Replicas;

/// <summary>
/// Control plane replicas (Orleans silos) clustered through a real Redis, as they run behind one Service,
/// each running the same sources (one config directory): every replica serves the config, whichever
/// replica holds the grains, and keeps serving edits when a replica stops.
/// </summary>
public sealed class RedisReplicaTests : IAsyncLifetime
{
    private const string PodUid = "Kubernetes//Pod/shop/web-0";
    private readonly string _cluster = $"--Silo:ClusterId=replicas-{Guid.NewGuid():n}";
    private readonly List<TestControlPlane> _replicas = [];
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
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }
        await _redis.DisposeAsync();
        Directory.Delete(_configDir, recursive: true);
    }

    [Fact]
    public async Task ConfigDirectory_OnTwoReplicas_IsServedAndUpdatedByTheSecond()
    {
        await StartReplicaAsync();
        var second = await StartReplicaAsync();
        using var channel = second.CreateXdsChannel();

        await using var ztunnel = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, XdsNodes.Ztunnel());
        var workload = await ExpectWorkloadAsync(ztunnel, w => w.CanonicalRevision == "v1");
        Assert.Equal("10.244.1.5", new System.Net.IPAddress(workload.Addresses.Single().Span).ToString());

        await File.WriteAllTextAsync(Path.Combine(_configDir, "shop.yaml"), Shop(version: "v2"));
        var update = await ExpectWorkloadAsync(ztunnel, w => w.CanonicalRevision == "v2");
        Assert.Equal(PodUid, update.Uid);
    }

    [Fact]
    public async Task ConfigDirectory_ReplicaHostingMostGrainsStopped_TheOthersServeTheNextEdit()
    {
        for (var i = 0; i < 3; i++)
        {
            await StartReplicaAsync();
        }
        var channels = _replicas.Select(r => r.CreateXdsChannel()).ToList();
        var ztunnels = new List<DeltaAdsTestClient>();
        try
        {
            foreach (var channel in channels)
            {
                var ztunnel = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, XdsNodes.Ztunnel());
                ztunnels.Add(ztunnel);
                await ExpectWorkloadAsync(ztunnel, w => w.CanonicalRevision == "v1");
            }

            var victim = await ReplicaHostingMostGrainsAsync();
            var index = _replicas.IndexOf(victim);
            await ztunnels[index].DisposeAsync();
            ztunnels.RemoveAt(index);
            channels[index].Dispose();
            channels.RemoveAt(index);
            _replicas.RemoveAt(index);
            await victim.DisposeAsync();

            await File.WriteAllTextAsync(Path.Combine(_configDir, "shop.yaml"), Shop(version: "v2"));
            foreach (var ztunnel in ztunnels)
            {
                var update = await ExpectWorkloadAsync(ztunnel, w => w.CanonicalRevision == "v2");
                Assert.Equal(PodUid, update.Uid);
            }
        }
        finally
        {
            foreach (var ztunnel in ztunnels)
            {
                await ztunnel.DisposeAsync();
            }
            foreach (var channel in channels)
            {
                channel.Dispose();
            }
        }
    }

    private async Task<TestControlPlane> StartReplicaAsync()
    {
        var replica = await TestControlPlane.StartAsync("--redis", _redis.ConnectionString, _cluster, "--config-dir", _configDir);
        _replicas.Add(replica);
        return replica;
    }

    /// <summary>The replica whose silo holds the most of the control plane's grains.</summary>
    private async Task<TestControlPlane> ReplicaHostingMostGrainsAsync()
    {
        var management = _replicas[0].App.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var statistics = await management.GetDetailedGrainStatistics();
        var grains = statistics
            .Where(s => s.GrainType.StartsWith("ControlPlane.Grains.", StringComparison.Ordinal))
            .GroupBy(s => s.SiloAddress)
            .ToDictionary(g => g.Key, g => g.Count());
        Assert.NotEmpty(grains);
        return _replicas.MaxBy(r => grains.GetValueOrDefault(r.App.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress))!;
    }

    /// <summary>Acks Address responses until the pod's workload satisfies <paramref name="condition"/>.</summary>
    private static async Task<Workload> ExpectWorkloadAsync(DeltaAdsTestClient ztunnel, Func<Workload, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
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
