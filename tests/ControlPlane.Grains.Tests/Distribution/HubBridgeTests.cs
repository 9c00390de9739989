using System.Text;
using ControlPlane.Grains.Distribution;
using ControlPlane.Xds;
using ControlPlane.Xds.Hub;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ControlPlane.Grains.Tests.Distribution;

public sealed class HubBridgeTests : IAsyncLifetime
{
    private static readonly Guid Epoch = Guid.NewGuid();
    private readonly XdsHub _hub = new(Options.Create(new XdsOptions { DebounceMilliseconds = 0 }), NullLogger<XdsHub>.Instance);
    private HubBridge _bridge = null!;

    public async Task InitializeAsync()
    {
        await _hub.StartAsync(CancellationToken.None);
        // Applying updates needs no grains: only the subscription upkeep does.
        _bridge = new HubBridge(grains: null!, _hub, NullLogger<HubBridge>.Instance);
    }

    public async Task DisposeAsync() => await _hub.StopAsync(CancellationToken.None);

    [Fact]
    public async Task ApplyAsync_UpdatesArrivingOutOfOrder_AreAppliedInPublishOrder()
    {
        await _bridge.ApplyAsync(Snapshot(0, ("a", "v0")));
        await WaitForAsync(() => Body("a") == "v0", "snapshot applied");
        await _bridge.ApplyAsync(Update(3, updated: [("a", "v3")], removed: ["b"]));
        await _bridge.ApplyAsync(Update(2, updated: [("a", "v2"), ("b", "v2")]));
        await _bridge.ApplyAsync(Update(1, updated: [("c", "v1")]));
        await WaitForAsync(() => Body("a") == "v3", "updates 1 to 3 applied in order");
        Assert.Null(Body("b"));
        Assert.Equal("v1", Body("c"));

        // A late duplicate of what was applied changes nothing (update 4 shows it was processed first).
        await _bridge.ApplyAsync(Update(2, updated: [("a", "v2")]));
        await _bridge.ApplyAsync(Update(4, updated: [("d", "v4")]));
        await WaitForAsync(() => Body("d") == "v4", "update 4 applied");
        Assert.Equal("v3", Body("a"));
    }

    [Fact]
    public async Task ApplyAsync_Snapshot_ReplacesWhatTheBridgePublishedAndSkipsOlderUpdates()
    {
        await _bridge.ApplyAsync(Snapshot(0, ("a", "v0"), ("gone", "v0")));
        await _bridge.ApplyAsync(Update(5, updated: [("waits", "v5")]));
        await _bridge.ApplyAsync(Snapshot(4, ("a", "v4"), ("new", "v4")));
        await WaitForAsync(() => Body("waits") == "v5" && Body("a") == "v4" && Body("new") == "v4" && Body("gone") is null, "snapshot then update 5 applied");

        await _bridge.ApplyAsync(Update(3, updated: [("a", "v3")]));
        await _bridge.ApplyAsync(Update(6, updated: [("later", "v6")]));
        await WaitForAsync(() => Body("later") == "v6", "update 6 applied");
        Assert.Equal("v4", Body("a"));
    }

    [Fact]
    public async Task ApplyAsync_SnapshotOfANewEpoch_AddsButKeepsWhatTheHubServes()
    {
        await _bridge.ApplyAsync(Snapshot(0, ("a", "v0"), ("kept", "v0")));
        await _bridge.ApplyAsync(Update(1, updated: [("a", "v1")]));
        await WaitForAsync(() => Body("a") == "v1", "update 1 applied");

        // A reactivated distribution grain restarts its numbering and holds only what was published since.
        var epoch = Guid.NewGuid();
        await _bridge.ApplyAsync(new HubUpdate(epoch, 1, [Batch([("a", "v2")])], IsSnapshot: true));
        await _bridge.ApplyAsync(new HubUpdate(epoch, 2, [Batch([("b", "v2")])], IsSnapshot: false));
        await WaitForAsync(() => Body("b") == "v2", "the new epoch's update applied");

        Assert.Equal("v2", Body("a"));
        Assert.Equal("v0", Body("kept"));
    }

    private string? Body(string name) =>
        _hub.GetTable(TypeUrls.Address).TryGet(name, out var resource) ? Encoding.UTF8.GetString(resource.Body.Span) : null;

    private static HubUpdate Snapshot(long sequence, params (string Name, string Body)[] resources) =>
        new(Epoch, sequence, [Batch(resources)], IsSnapshot: true);

    private static HubUpdate Update(long sequence, (string Name, string Body)[]? updated = null, string[]? removed = null) =>
        new(Epoch, sequence, [Batch(updated ?? [], removed)], IsSnapshot: false);

    private static ResourceBatch Batch((string Name, string Body)[] updated, string[]? removed = null) =>
        new(TypeUrls.Address, string.Empty, [.. updated.Select(r => new PublishedResource(r.Name, Encoding.UTF8.GetBytes(r.Body)))], removed ?? []);

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(10);
        }
    }
}
