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
    private static readonly GrainId A = GrainId.Create("origin", "a");
    private static readonly GrainId B = GrainId.Create("origin", "b");
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
    public async Task ApplyAsync_SnapshotOfANewEpoch_ReplacesTheOriginsItHasAndKeepsTheOthers()
    {
        await _bridge.ApplyAsync(new HubUpdate(Epoch, 0, [Complete(A, ("a", "v0"), ("a-gone", "v0")), Complete(B, ("b", "v0"))], IsSnapshot: true));
        await WaitForAsync(() => Body("a") == "v0" && Body("b") == "v0", "first snapshot applied");

        // A reactivated distribution grain restarts its numbering and knows only origin A so far.
        var epoch = Guid.NewGuid();
        await _bridge.ApplyAsync(new HubUpdate(epoch, 3, [Complete(A, ("a", "v3"))], IsSnapshot: true));
        await _bridge.ApplyAsync(new HubUpdate(epoch, 4, [Change(B, [("b2", "v4")])], IsSnapshot: false));
        await WaitForAsync(() => Body("b2") == "v4", "the new epoch's update applied");

        Assert.Equal("v3", Body("a"));
        Assert.Null(Body("a-gone"));
        Assert.Equal("v0", Body("b"));
    }

    [Fact]
    public async Task ApplyAsync_CompleteSetOfAnOrigin_RemovesOnlyThatOriginsMissingNames()
    {
        await _bridge.ApplyAsync(new HubUpdate(Epoch, 0, [Complete(A, ("a1", "v0"), ("a2", "v0")), Complete(B, ("b1", "v0"))], IsSnapshot: true));
        await _bridge.ApplyAsync(new HubUpdate(Epoch, 1, [Complete(A, ("a1", "v1"))], IsSnapshot: false));
        await WaitForAsync(() => Body("a1") == "v1", "complete set of A applied");

        Assert.Null(Body("a2"));
        Assert.Equal("v0", Body("b1"));
    }

    [Fact]
    public async Task ApplyAsync_NameTakenOverByAnotherOrigin_IsNotRemovedByTheFormerOwner()
    {
        await _bridge.ApplyAsync(new HubUpdate(Epoch, 0, [Complete(A, ("shared", "a0"))], IsSnapshot: true));
        await _bridge.ApplyAsync(new HubUpdate(Epoch, 1, [Change(B, [("shared", "b1")])], IsSnapshot: false));
        await _bridge.ApplyAsync(new HubUpdate(Epoch, 2, [Change(A, [], ["shared"])], IsSnapshot: false));
        await _bridge.ApplyAsync(new HubUpdate(Epoch, 3, [Complete(A)], IsSnapshot: false));
        await _bridge.ApplyAsync(new HubUpdate(Epoch, 4, [Change(A, [("marker", "v4")])], IsSnapshot: false));
        await WaitForAsync(() => Body("marker") == "v4", "updates 1 to 4 applied");

        Assert.Equal("b1", Body("shared"));
    }

    private string? Body(string name) =>
        _hub.GetTable(TypeUrls.Address).TryGet(name, out var resource) ? Encoding.UTF8.GetString(resource.Body.Span) : null;

    private static HubUpdate Snapshot(long sequence, params (string Name, string Body)[] resources) =>
        new(Epoch, sequence, [Complete(A, resources)], IsSnapshot: true);

    private static HubUpdate Update(long sequence, (string Name, string Body)[]? updated = null, string[]? removed = null) =>
        new(Epoch, sequence, [Change(A, updated ?? [], removed)], IsSnapshot: false);

    private static OriginUpdate Complete(GrainId origin, params (string Name, string Body)[] resources) =>
        new(origin, Guid.Empty, 0, Complete: true, resources.Length == 0 ? [] : [Batch(resources)]);

    private static OriginUpdate Change(GrainId origin, (string Name, string Body)[] updated, string[]? removed = null) =>
        new(origin, Guid.Empty, 0, Complete: false, [Batch(updated, removed)]);

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
