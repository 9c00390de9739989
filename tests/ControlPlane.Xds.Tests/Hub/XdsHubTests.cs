using System.Collections.Concurrent;
using ControlPlane.Testing.Xds;
using ControlPlane.Xds.Hub;
using ControlPlane.Xds.Resources;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static ControlPlane.Xds.Tests.Server.TestResources;

namespace ControlPlane.Xds.Tests.Hub;

public sealed class XdsHubTests
{
    [Fact]
    public async Task Publish_BurstWithinTheQuietPeriod_IsCommittedAsOneBatch()
    {
        await using var hub = await RunningHub.StartAsync(quietMilliseconds: 1_000, maxMilliseconds: 10_000);

        hub.Hub.Publish(ResourceDelta.Upsert(Address("a")));
        hub.Hub.Publish(ResourceDelta.Upsert(Address("b")));
        hub.Hub.Publish(ResourceDelta.Upsert(Address("a", "v2")));
        await hub.Hub.FlushWithinTimeoutAsync();

        var batch = Assert.Single(hub.Batches, b => b.Changes.Any(c => c.Key.TypeUrl == TypeUrls.Address));
        var change = Assert.Single(batch.Changes, c => c.Key.TypeUrl == TypeUrls.Address);
        Assert.Equal(["a", "b"], change.Updated.Select(r => r.Name));
        Assert.Equal(Address("a", "v2").Version, change.Updated[0].Version);
        Assert.Empty(change.Removed);
    }

    [Fact]
    public async Task Publish_IsolatedChange_IsCommittedAtOnceAndTheNextOneWaitsForQuiet()
    {
        // Quiet period and maximum delay of 2 s: nothing committed since the start 2 s ago makes "a" isolated.
        await using var hub = await RunningHub.StartAsync(quietMilliseconds: 2_000, maxMilliseconds: 2_000);
        await Task.Delay(2_100);

        hub.Hub.Publish(ResourceDelta.Upsert(Address("a")));
        var isolated = await WaitForBatchAsync(hub, "a", TimeSpan.FromMilliseconds(1_500));
        hub.Hub.Publish(ResourceDelta.Upsert(Address("b")));
        var following = await WaitForBatchAsync(hub, "b", TimeSpan.FromMilliseconds(1_000));
        await hub.Hub.FlushWithinTimeoutAsync();

        Assert.True(isolated, "the isolated change waited for the quiet period");
        Assert.False(following, "a change right after another was committed before the quiet period");
        Assert.Contains(hub.Batches, b => b.Changes.Any(c => c.Names.Contains("b")));
    }

    [Fact]
    public async Task Publish_BurstRightAfterTheStart_IsCommittedAsOneBatch()
    {
        // The start counts as activity: an initial load arriving in pieces is not pushed piece by piece.
        // A quiet period far above the 100 ms between the pieces, as the suite's other tests load the machine.
        await using var hub = await RunningHub.StartAsync(quietMilliseconds: 2_000, maxMilliseconds: 10_000);

        hub.Hub.Publish(ResourceDelta.Upsert(Address("a")));
        await Task.Delay(100);
        hub.Hub.Publish(ResourceDelta.Upsert(Address("b")));
        await hub.Hub.FlushWithinTimeoutAsync();

        var batch = Assert.Single(hub.Batches, b => b.Changes.Any(c => c.Key.TypeUrl == TypeUrls.Address));
        Assert.Equal(["a", "b"], batch.Changes.Single().Updated.Select(r => r.Name).Order());
    }

    [Fact]
    public async Task Publish_ChangedAndChangedBackInOneBatch_IsNoChange()
    {
        await using var hub = await RunningHub.StartAsync(quietMilliseconds: 1_000, maxMilliseconds: 10_000);
        await hub.Hub.PublishAndFlushAsync(ResourceDelta.Upsert(Address("a")));

        hub.Hub.Publish(ResourceDelta.Upsert(Address("a", "v2")));
        hub.Hub.Publish(ResourceDelta.Upsert(Address("new")));
        hub.Hub.Publish(ResourceDelta.Upsert(Address("a")));
        hub.Hub.Publish(ResourceDelta.Remove(TypeUrls.Address, "new"));
        await hub.Hub.FlushWithinTimeoutAsync();

        Assert.Single(hub.Batches, b => b.Changes.Any(c => c.Key.TypeUrl == TypeUrls.Address));
    }

    [Fact]
    public async Task Publish_SeveralDeltasTogether_AreNeverSplitAcrossBatches()
    {
        // No debounce at all: each Publish call is committed as soon as the loop sees it.
        await using var hub = await RunningHub.StartAsync(quietMilliseconds: 0, maxMilliseconds: 0);

        for (var i = 0; i < 50; i++)
        {
            hub.Hub.Publish([ResourceDelta.Upsert(Listener($"l{i}")), ResourceDelta.Upsert(Cluster($"c{i}"))]);
        }
        await hub.Hub.FlushWithinTimeoutAsync();

        foreach (var batch in hub.Batches.Where(b => b.Changes.Any(c => c.Key.TypeUrl is TypeUrls.Listener or TypeUrls.Cluster)))
        {
            var listeners = batch.Changes.Single(c => c.Key.TypeUrl == TypeUrls.Listener).Updated.Select(r => r.Name[1..]);
            var clusters = batch.Changes.Single(c => c.Key.TypeUrl == TypeUrls.Cluster).Updated.Select(r => r.Name[1..]);
            Assert.Equal(listeners, clusters);
        }
    }

    [Fact]
    public async Task Subscribe_ReportsTheLastBatchTheListenerWillNotHearOf()
    {
        await using var hub = await RunningHub.StartAsync();
        await hub.Hub.PublishAndFlushAsync(ResourceDelta.Upsert(Address("before")));
        var listener = new RecordingListener();
        var committed = hub.Hub.Version;

        using var subscription = hub.Hub.Subscribe(listener, out var version);
        await hub.Hub.PublishAndFlushAsync(ResourceDelta.Upsert(Address("after")));

        Assert.Equal(committed, version);
        Assert.True(hub.Batches.Single(b => b.Changes.Any(c => c.Names.Contains("before"))).Version <= version);
        Assert.All(listener.Batches, b => Assert.True(b.Version > version));
        Assert.Contains(listener.Batches, b => b.Changes.Any(c => c.Names.Contains("after")));
    }

    [Fact]
    public async Task Publish_IdenticalContentAgain_CommitsNothing()
    {
        await using var hub = await RunningHub.StartAsync();
        await hub.Hub.PublishAndFlushAsync(ResourceDelta.Upsert(Address("a")));
        var before = hub.Hub.GetTable(TypeUrls.Address).Generation;

        await hub.Hub.PublishAndFlushAsync(ResourceDelta.Upsert(Address("a")));
        await hub.Hub.PublishAndFlushAsync(ResourceDelta.Remove(TypeUrls.Address, "never-there"));

        Assert.Single(hub.Batches, b => b.Changes.Any(c => c.Key.TypeUrl == TypeUrls.Address));
        Assert.Equal(before, hub.Hub.GetTable(TypeUrls.Address).Generation);
    }

    [Fact]
    public async Task Publish_ScopedDelta_ChangesOnlyThatScopesTable()
    {
        await using var hub = await RunningHub.StartAsync();

        await hub.Hub.PublishAndFlushAsync(new ResourceDelta(TypeUrls.Cluster, "waypoint-a", [Cluster("c")], []));

        Assert.True(hub.Hub.GetTable(new TableKey(TypeUrls.Cluster, "waypoint-a")).TryGet("c", out _));
        Assert.False(hub.Hub.GetTable(TypeUrls.Cluster).TryGet("c", out _));
        var change = Assert.Single(hub.Batches.SelectMany(b => b.Changes), c => c.Key.TypeUrl == TypeUrls.Cluster);
        Assert.Equal(new TableKey(TypeUrls.Cluster, "waypoint-a"), change.Key);
    }

    [Fact]
    public void Publish_ResourceOfAnotherType_IsRefused()
    {
        var hub = new XdsHub(Options.Create(new XdsOptions()), NullLogger<XdsHub>.Instance);

        Assert.Throws<ArgumentException>(() => hub.Publish(new ResourceDelta(TypeUrls.Cluster, string.Empty, [Address("a")], [])));
    }

    [Fact]
    public void Version_IsAContentHash()
    {
        var one = Address("a");
        var same = Address("a");
        var other = Address("a", "v2");

        Assert.Equal(one.Version, same.Version);
        Assert.NotEqual(one.Version, other.Version);
        Assert.Equal(System.IO.Hashing.XxHash64.HashToUInt64(one.Body.Span).ToString("x16", System.Globalization.CultureInfo.InvariantCulture), one.Version);
    }

    /// <summary>Whether a batch carrying <paramref name="name"/> is committed within <paramref name="within"/>.</summary>
    private static async Task<bool> WaitForBatchAsync(RunningHub hub, string name, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (hub.Batches.Any(b => b.Changes.Any(c => c.Names.Contains(name))))
            {
                return true;
            }
            await Task.Delay(10);
        }
        return false;
    }

    private sealed class RecordingListener : IPushListener
    {
        private readonly ConcurrentQueue<PushBatch> _batches = new();

        public IReadOnlyList<PushBatch> Batches => [.. _batches];

        public void OnPush(PushBatch batch) => _batches.Enqueue(batch);
    }

    /// <summary>A hub running its commit loop, recording every batch.</summary>
    private sealed class RunningHub : IAsyncDisposable
    {
        private readonly ConcurrentQueue<PushBatch> _batches = new();

        private RunningHub(XdsHub hub)
        {
            Hub = hub;
            Hub.Committed += batch => _batches.Enqueue(batch);
        }

        public XdsHub Hub { get; }

        public IReadOnlyList<PushBatch> Batches => [.. _batches];

        public static async Task<RunningHub> StartAsync(int quietMilliseconds = 0, int maxMilliseconds = 100)
        {
            var options = new XdsOptions { DebounceMilliseconds = quietMilliseconds, MaxDebounceMilliseconds = maxMilliseconds };
            var running = new RunningHub(new XdsHub(Options.Create(options), NullLogger<XdsHub>.Instance));
            await running.Hub.StartAsync(CancellationToken.None);
            return running;
        }

        public async ValueTask DisposeAsync()
        {
            await Hub.StopAsync(CancellationToken.None);
            Hub.Dispose();
        }
    }
}
