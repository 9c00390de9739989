using ControlPlane.Xds.Compatibility;
using ControlPlane.Xds.Hub;
using ControlPlane.Xds.Proxy;
using ControlPlane.Xds.Resources;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Cluster = Envoy.Config.Cluster.V3.Cluster;

namespace ControlPlane.Xds.Tests.Hub;

public sealed class XdsHubCompatibilityTests : IAsyncLifetime
{
    private const string TypeUrl = TypeUrls.Cluster;
    private readonly CountingCompatibility _compatibility = new();
    private XdsHub _hub = null!;

    public async Task InitializeAsync()
    {
        _hub = new XdsHub(Options.Create(new XdsOptions { DebounceMilliseconds = 0 }), NullLogger<XdsHub>.Instance, _compatibility);
        await _hub.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await _hub.StopAsync(CancellationToken.None);

    [Fact]
    public async Task GetTableFor_OldProxy_ServesVariantsEncodedOnceAndSharesUnchangedResources()
    {
        await PublishAndWaitAsync(Resource("plain", "keep"), Resource("new-feature", "strip"), Resource("too-new", "omit"));

        var old = _hub.GetTableFor(Proxy("old"), TypeUrl, string.Empty);
        var sameLevel = _hub.GetTableFor(Proxy("old"), TypeUrl, string.Empty);
        var latest = _hub.GetTableFor(Proxy(null), TypeUrl, string.Empty);

        Assert.Same(old, sameLevel);
        Assert.Equal(new TableKey(TypeUrl, string.Empty, "old"), old.Key);
        Assert.Same(_hub.GetTable(TypeUrl), latest);
        Assert.True(old.TryGet("plain", out var plain));
        Assert.True(latest.TryGet("plain", out var published));
        Assert.Same(published, plain);
        Assert.True(old.TryGet("new-feature", out var stripped));
        Assert.Equal("stripped", Cluster.Parser.ParseFrom(stripped.Body).AltStatName);
        Assert.NotEqual(latest.TryGet("new-feature", out var full) ? full.Version : null, stripped.Version);
        Assert.False(old.TryGet("too-new", out _));
        Assert.Equal(3, _compatibility.Adapted);
    }

    [Fact]
    public async Task Publish_AfterVariantExists_KeepsItInStepAndReportsOnlyItsOwnChanges()
    {
        await PublishAndWaitAsync(Resource("a", "strip"));
        var old = _hub.GetTableFor(Proxy("old"), TypeUrl, string.Empty);
        var changes = new List<TableChange>();
        _hub.Committed += batch => changes.AddRange(batch.Changes);

        // "a" changes only in what the old level strips: the variant's bytes stay the same.
        await PublishAndWaitAsync(Resource("a", "strip-again"), Resource("b", "keep"));
        Assert.Equal(["a", "b"], Names(changes, TableKey.Global(TypeUrl)));
        Assert.Equal(["b"], Names(changes, old.Key));

        changes.Clear();
        await PublishAndWaitAsync(Resource("a", "omit"));
        Assert.False(old.TryGet("a", out _));
        Assert.Equal(["a"], Names(changes, old.Key));

        changes.Clear();
        _hub.Publish(ResourceDelta.Remove(TypeUrl, "b"));
        await WaitForAsync(() => !_hub.GetTable(TypeUrl).TryGet("b", out _));
        Assert.False(old.TryGet("b", out _));
        Assert.Equal(["b"], Names(changes, old.Key));
    }

    private async Task PublishAndWaitAsync(params XdsResource[] resources)
    {
        _hub.Publish(ResourceDelta.Upsert(resources));
        await WaitForAsync(() => resources.All(r => _hub.GetTable(TypeUrl).TryGet(r.Name, out var held) && held.Version == r.Version));
    }

    private static List<string> Names(List<TableChange> changes, TableKey key) =>
        [.. changes.Where(c => c.Key == key).SelectMany(c => c.Names).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>A cluster whose alt_stat_name says what an old proxy must see of it.</summary>
    private static XdsResource Resource(string name, string treatment) =>
        XdsResource.Create(TypeUrl, name, new Cluster { Name = name, AltStatName = treatment });

    private static ProxyNode Proxy(string? level)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (level is not null)
        {
            metadata["LEVEL"] = level;
        }
        return new ProxyNode
        {
            Id = "sidecar~10.0.0.1~p.ns~ns.svc.cluster.local",
            Kind = ProxyKind.Sidecar,
            IpAddresses = [],
            PodName = "p",
            Namespace = "ns",
            DnsDomain = "ns.svc.cluster.local",
            Metadata = metadata,
        };
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(10);
        }
    }

    /// <summary>Level from metadata LEVEL; at a level, "strip…" resources are rewritten alike and "omit" ones dropped.</summary>
    private sealed class CountingCompatibility : IResourceCompatibility
    {
        private int _adapted;

        public int Adapted => Volatile.Read(ref _adapted);

        public string SelectLevel(ProxyNode proxy, string typeUrl) => proxy.Metadata.GetValueOrDefault("LEVEL", string.Empty);

        public ResourceVariant Adapt(string typeUrl, string level, string name, ByteString body)
        {
            Interlocked.Increment(ref _adapted);
            var cluster = Cluster.Parser.ParseFrom(body);
            return cluster.AltStatName switch
            {
                var strip when strip.StartsWith("strip", StringComparison.Ordinal) =>
                    ResourceVariant.Replaced(new Cluster { Name = cluster.Name, AltStatName = "stripped" }.ToByteString()),
                "omit" => ResourceVariant.Omitted,
                _ => ResourceVariant.Unchanged,
            };
        }
    }
}
