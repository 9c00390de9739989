using ControlPlane.Ambient.Model;
using ControlPlane.Grains.Distribution;
using ControlPlane.Grains.Namespaces;
using ControlPlane.Xds;
using Google.Protobuf;
using Istio.Workload;
using Orleans.Core.Internal;
using static ControlPlane.Grains.Tests.Changes;

namespace ControlPlane.Grains.Tests.Distribution;

/// <summary>The distribution grain is rebuilt from the origins; an origin's stale or unknown publishes are never applied.</summary>
public sealed class DistributionGrainRecoveryTests : IAsyncLifetime
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(60);
    private readonly SiloCluster _cluster = new(2);
    private List<IMeshObject> _objects = [];

    public async Task InitializeAsync()
    {
        await _cluster.InitializeAsync();
        _objects = FullBuild.ExampleMesh();
        await _cluster.Sink.ApplyAsync([.. _objects.Select(ObjectChange.Upsert)], CancellationToken.None);
        await AssertEveryHubMatchesAsync(_objects);
    }

    public Task DisposeAsync() => _cluster.DisposeAsync();

    private IDistributionGrain Distribution => _cluster.Grains.GetGrain<IDistributionGrain>(GrainKeys.Distribution);

    [Fact]
    public async Task PublishAsync_DistributionGrainLostWhileAResourceIsRemoved_EveryHubEndsWithoutItAndKeepsTheRest()
    {
        var pod = _objects.Single(o => o.Kind == Kinds.Pod && o.Meta.Name == "orders-db-0");
        await Distribution.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await _cluster.Sink.ApplyAsync([ObjectChange.Delete(ObjectKey.Of(pod))], CancellationToken.None);

        await AssertEveryHubMatchesAsync([.. _objects.Where(o => o != pod)]);
    }

    [Fact]
    public async Task PublishAsync_UpdateOfAnUnknownEpoch_IsNotAppliedAndTheOriginsCompleteSetIsKept()
    {
        // As a late publish from an activation that is gone would arrive.
        var origin = _cluster.Grains.GetGrain<INamespaceGrain>(GrainKeys.Namespace("shop")).GetGrainId();
        await Distribution.PublishAsync(new OriginUpdate(origin, Guid.NewGuid(), 1, Complete: false, [Bogus()]));

        await AssertMarkerThenMatchAsync();
    }

    [Fact]
    public async Task PublishAsync_StaleUpdateOfAKnownEpoch_IsIgnored()
    {
        var current = await _cluster.Grains.GetGrain<INamespaceGrain>(GrainKeys.Namespace("shop")).GetResourcesAsync();
        Assert.Contains(current.Batches, b => b.TypeUrl == TypeUrls.Address && b.Updated.Count > 0);
        await Distribution.PublishAsync(current with { Complete = false, Batches = [Bogus()] });

        await AssertMarkerThenMatchAsync();
    }

    /// <summary>A real change made afterwards reaches every hub, the bogus resource never does, and the rest is intact.</summary>
    private async Task AssertMarkerThenMatchAsync()
    {
        var marker = Upsert(Pod("shop", "marker", "10.244.99.1")).Single();
        await _cluster.Sink.ApplyAsync([marker], CancellationToken.None);
        await AssertEveryHubMatchesAsync([.. _objects, marker.Object!]);
        foreach (var silo in Enumerable.Range(0, 2))
        {
            using var probe = new HubProbe(_cluster.Hub(silo));
            Assert.Null(probe.Get("shop/bogus"));
        }
    }

    private async Task AssertEveryHubMatchesAsync(IReadOnlyCollection<IMeshObject> objects)
    {
        foreach (var silo in Enumerable.Range(0, 2))
        {
            using var probe = new HubProbe(_cluster.Hub(silo));
            Assert.Empty(await FullBuild.HubDifferencesAsync(probe, objects, Recovery));
        }
    }

    private static ResourceBatch Bogus() =>
        new(TypeUrls.Address, string.Empty, [new PublishedResource("shop/bogus", new Address { Workload = new Workload { Uid = "shop/bogus", Name = "bogus" } }.ToByteArray())], []);
}
