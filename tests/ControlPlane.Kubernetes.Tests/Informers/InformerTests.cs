using ControlPlane.Ambient.Model;
using ControlPlane.Kubernetes.Api;
using ControlPlane.Kubernetes.Conversion;
using ControlPlane.Kubernetes.Informers;
using ControlPlane.Testing.Kubernetes;
using k8s;

namespace ControlPlane.Kubernetes.Tests.Informers;

public sealed class InformerTests : IAsyncLifetime
{
    private readonly ListLogger _log = new();
    private readonly ChangeRecorder<IMeshObject> _recorder = new();
    private readonly CancellationTokenSource _stop = new();
    private KubeApiServerDouble _api = null!;
    private KubeApiClient _client = null!;
    private Task _running = Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _api = await KubeApiServerDouble.StartAsync("c1");
        _client = new KubeApiClient(new KubernetesClientConfiguration { Host = _api.Url.ToString(), AccessToken = _api.ClientToken }, TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        _client.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task RunAsync_InitialList_DeliversOneBatchThenSyncs()
    {
        _api.Apply(Pod("a", "10.0.0.1") + Pod("b", "10.0.0.2"));

        var informer = Start(KubeResources.Pods);
        await informer.Synced.WaitAsync(Eventually.Patience);

        var batch = Assert.Single(_recorder.Batches);
        Assert.Equal(["a", "b"], batch.Select(c => c.Name).Order());
        Assert.Equal("10.0.0.2", ((Pod)batch.Single(c => c.Name == "b").Current!).Ips.Single());
        Assert.Equal("c1", batch[0].Current!.Meta.Cluster);
        Assert.Equal(_api.ResourceVersion.ToString(), informer.Status.ResourceVersion);
        Assert.True(informer.Status.Synced);
    }

    [Fact]
    public async Task RunAsync_InitialListInPages_DeliversEveryObjectOnce()
    {
        _api.Apply(Pod("a", "10.0.0.1") + Pod("b", "10.0.0.2") + Pod("c", "10.0.0.3"));

        var informer = await StartSyncedAsync(KubeResources.Pods, new KubernetesOptions { ListPageSize = 2 });

        Assert.Equal(["a", "b", "c"], Assert.Single(_recorder.Batches).Select(c => c.Name).Order());
        Assert.Equal(2, _api.Requests.Count(r => r.Verb == "list" && r.Query.Contains("limit=2", StringComparison.Ordinal)));
        Assert.Equal(_api.ResourceVersion.ToString(), informer.Status.ResourceVersion);
    }

    [Fact]
    public async Task RunAsync_WatchEvents_DeliverAddsUpdatesAndDeletes()
    {
        _api.Apply(Pod("a", "10.0.0.1"));
        var informer = await StartSyncedAsync(KubeResources.Pods);
        _recorder.Take();

        _api.Apply(Pod("b", "10.0.0.2"));
        _api.Apply(Pod("a", "10.0.0.3"));
        _api.Delete(ApiResource.Pods, "shop", "b");
        _api.Apply(Pod("c", "10.0.0.4"));

        await Eventually.WaitUntilAsync(() => informer.Values.Count == 2 && informer.Values.Any(p => p.Meta.Name == "c"), "c arrived");
        Assert.Equal("10.0.0.3", ((Pod)informer.Values.Single(p => p.Meta.Name == "a")).Ips.Single());
        Assert.DoesNotContain(informer.Values, p => p.Meta.Name == "b");
        await Eventually.WaitUntilAsync(() => informer.Status.ResourceVersion == _api.ResourceVersion.ToString(), "the informer is at the server's version");
    }

    [Fact]
    public async Task RunAsync_ClusterScopedResource_DeliversWatchEvents()
    {
        var informer = await StartSyncedAsync(KubeResources.Namespaces);
        await Eventually.WaitUntilAsync(() => _api.OpenWatches == 1, "the informer watches");

        _api.Apply(Namespace("later"));

        await Eventually.WaitUntilAsync(() => informer.Values.Any(n => n.Meta.Name == "later"), "the namespace arrived");
        Assert.Equal("", informer.Values.Single().Meta.Namespace);
        _api.Delete(ApiResource.Namespaces, null, "later");
        await Eventually.WaitUntilAsync(() => informer.Values.Count == 0, "the namespace left");
    }

    [Fact]
    public async Task RunAsync_UnchangedUpdate_DeliversNothing()
    {
        _api.Apply(Pod("a", "10.0.0.1"));
        var informer = await StartSyncedAsync(KubeResources.Pods);
        _recorder.Take();

        // A new resourceVersion whose content converts to the same record (a field the builders do not use).
        _api.Apply(Pod("a", "10.0.0.1", extra: "spec: {schedulerName: custom}"));
        _api.Apply(Pod("z", "10.0.0.9"));

        await Eventually.WaitUntilAsync(() => informer.Values.Any(p => p.Meta.Name == "z"), "z arrived");
        Assert.Equal(["z:added"], _recorder.Take());
    }

    [Fact]
    public async Task RunAsync_DroppedWatch_ResumesFromTheLastResourceVersionWithoutLoss()
    {
        _api.Apply(Pod("a", "10.0.0.1"));
        var informer = await StartSyncedAsync(KubeResources.Pods);
        _recorder.Take();
        var watchedFrom = informer.Status.ResourceVersion!;
        await Eventually.WaitUntilAsync(() => _api.OpenWatches == 1, "the informer watches");

        _api.DropWatches(abort: true);
        _api.Apply(Pod("b", "10.0.0.2"));
        _api.Apply(Pod("a", "10.0.0.5"));

        await Eventually.WaitUntilAsync(() => informer.Values.Count == 2 && ((Pod)informer.Values.Single(p => p.Meta.Name == "a")).Ips.Single() == "10.0.0.5", "both changes arrived");
        Assert.Equal(1, _api.Requests.Count(r => r.Verb == "list"));
        var watches = _api.Requests.Where(r => r.Verb == "watch").ToList();
        Assert.True(watches.Count >= 2, "the watch was reopened");
        Assert.Contains($"resourceVersion={watchedFrom}", watches[1].Query, StringComparison.Ordinal);
        Assert.Equal(["a:updated", "b:added"], _recorder.Take());
    }

    [Fact]
    public async Task RunAsync_ExpiredResourceVersion_RelistsAndDeliversOnlyRealDifferences()
    {
        _api.Apply(Pod("same-1", "10.0.0.1") + Pod("same-2", "10.0.0.2") + Pod("changed", "10.0.0.3") + Pod("deleted", "10.0.0.4"));
        var informer = await StartSyncedAsync(KubeResources.Pods);
        _recorder.Take();

        // While the API server cannot be reached, things change and its history is compacted.
        _api.Reachable = false;
        _api.Apply(Pod("changed", "10.0.0.33"));
        _api.Delete(ApiResource.Pods, "shop", "deleted");
        _api.Apply(Pod("added", "10.0.0.5"));
        _api.Compact();
        await Eventually.WaitUntilAsync(() => !informer.Status.Healthy, "the informer noticed");
        _api.Reachable = true;

        await Eventually.WaitUntilAsync(() => informer.Status.Lists == 2 && informer.Status.Healthy, "the informer relisted");
        Assert.Equal(["added:added", "changed:updated", "deleted:deleted"], _recorder.Take());
        Assert.Equal(["added", "changed", "same-1", "same-2"], informer.Values.Select(p => p.Meta.Name).Order());
    }

    [Fact]
    public async Task RunAsync_ExpiredErrorEventWithNothingChanged_RelistsWithoutDeliveringAnything()
    {
        _api.Apply(Pod("a", "10.0.0.1") + Pod("b", "10.0.0.2"));
        var informer = await StartSyncedAsync(KubeResources.Pods);
        _recorder.Take();

        await Eventually.WaitUntilAsync(() => _api.OpenWatches == 1, "the informer watches");
        _api.Apply(Namespace("unrelated"));
        _api.Compact();
        _api.DropWatches();

        await Eventually.WaitUntilAsync(() => informer.Status.Lists == 2, "the informer relisted");
        await Eventually.WaitUntilAsync(() => _api.OpenWatches == 1, "the informer watches again");
        Assert.Empty(_recorder.Take());
        Assert.Equal(2, informer.Values.Count);
    }

    [Fact]
    public async Task RunAsync_Bookmark_AdvancesTheResourceVersion()
    {
        var informer = await StartSyncedAsync(KubeResources.Pods);
        await Eventually.WaitUntilAsync(() => _api.OpenWatches == 1, "the informer watches");
        var version = _api.Apply(Namespace("elsewhere"));

        _api.SendBookmarks();

        await Eventually.WaitUntilAsync(() => informer.Status.ResourceVersion == version.ToString(), "the bookmark was taken");
        Assert.Empty(_recorder.Changes);
    }

    [Fact]
    public async Task RunAsync_CrdNotInstalled_SyncsEmptyReportsItAndPicksItUpOnceInstalled()
    {
        var resource = KubeResources.AuthorizationPolicies;
        var informer = Start(resource, new KubernetesOptions { InitialBackoffMilliseconds = 10, NotInstalledRetrySeconds = 1 });

        await informer.Synced.WaitAsync(Eventually.Patience);
        Assert.False(informer.Status.Installed);
        Assert.True(informer.Status.Healthy);
        Assert.Contains(_log.Lines, l => l.Contains("authorizationpolicies.security.istio.io is not served", StringComparison.Ordinal));

        _api.Install(ApiResource.AuthorizationPolicies);
        _api.Apply("""
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: allow-all, namespace: shop}
            spec: {}
            """);

        await Eventually.WaitUntilAsync(() => informer.Status.Installed && informer.Status.Objects == 1, "the CRD was picked up");
    }

    [Fact]
    public async Task RunAsync_CrdRemoved_DeletesWhatItHeld()
    {
        _api.Install(ApiResource.PeerAuthentications);
        _api.Apply("""
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: strict, namespace: shop}
            spec: {mtls: {mode: STRICT}}
            """);
        var informer = await StartSyncedAsync(KubeResources.PeerAuthentications, new KubernetesOptions { InitialBackoffMilliseconds = 10, NotInstalledRetrySeconds = 1 });
        Assert.Equal(1, informer.Status.Objects);

        _api.Uninstall(ApiResource.PeerAuthentications);

        await Eventually.WaitUntilAsync(() => !informer.Status.Installed, "the removal was noticed");
        Assert.Equal(0, informer.Status.Objects);
        Assert.Empty(informer.Values);
    }

    [Fact]
    public async Task RunAsync_InvalidObject_IsSkippedOrKeepsItsLastGoodVersion()
    {
        _api.Apply(Pod("good", "10.0.0.1") + Pod("bad", "not-an-ip"));
        var informer = await StartSyncedAsync(KubeResources.Pods);
        Assert.Equal(["good"], informer.Values.Select(p => p.Meta.Name));
        Assert.Equal(1, informer.Status.Invalid);
        _recorder.Take();

        _api.Apply(Pod("good", "also-not-an-ip"));
        _api.Apply(Pod("marker", "10.0.0.9"));

        await Eventually.WaitUntilAsync(() => informer.Values.Any(p => p.Meta.Name == "marker"), "marker arrived");
        Assert.Equal("10.0.0.1", ((Pod)informer.Values.Single(p => p.Meta.Name == "good")).Ips.Single());
        Assert.Equal(["marker:added"], _recorder.Take());
        Assert.Contains(_log.Lines, l => l.Contains("invalid Pod shop/good", StringComparison.Ordinal) && l.Contains("keeping its last good version", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_DeliveryFails_RetriesUntilTheChangesAreAccepted()
    {
        _api.Apply(Pod("a", "10.0.0.1"));
        var informer = await StartSyncedAsync(KubeResources.Pods);
        _recorder.Take();

        _recorder.FailNext(2);
        _api.Apply(Pod("b", "10.0.0.2"));

        await Eventually.WaitUntilAsync(() => informer.Values.Count == 2, "b was delivered");
        Assert.Equal(["b:added"], _recorder.Take());
        Assert.Contains(_log.Lines, l => l.Contains("the sink is unavailable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_Forbidden_ReportsTheErrorAndRetries()
    {
        _api.Forbid(ApiResource.Nodes);
        var informer = Start(KubeResources.Nodes);

        await Eventually.WaitUntilAsync(() => informer.Status.LastError?.Contains("Forbidden", StringComparison.Ordinal) == true, "the error is reported");
        Assert.False(informer.Status.Healthy);
        Assert.False(informer.Synced.IsCompleted);

        _api.Forbid(ApiResource.Nodes, forbidden: false);
        await informer.Synced.WaitAsync(Eventually.Patience);
        Assert.True(informer.Status.Healthy);
    }

    [Fact]
    public async Task ForgetAllAsync_AfterStop_DeliversADeleteForEveryHeldObject()
    {
        _api.Apply(Pod("a", "10.0.0.1") + Pod("b", "10.0.0.2"));
        var informer = await StartSyncedAsync(KubeResources.Pods);
        _recorder.Take();
        await _stop.CancelAsync();
        await _running;

        await informer.ForgetAllAsync(CancellationToken.None);

        Assert.Equal(["a:deleted", "b:deleted"], _recorder.Take());
        Assert.Equal(0, informer.Status.Objects);
    }

    private Informer<IMeshObject> Start(KubeResource resource, KubernetesOptions? options = null)
    {
        var informer = new Informer<IMeshObject>(
            resource,
            "c1",
            null,
            obj => KubeObjectConverter.Convert(resource.ApiVersionKind, obj.Json, "c1"),
            _recorder.DeliverAsync,
            options ?? new KubernetesOptions { InitialBackoffMilliseconds = 10, MaxBackoffMilliseconds = 200 },
            _log.Factory().CreateLogger("informer"));
        _running = informer.RunAsync(_client, _stop.Token);
        return informer;
    }

    private async Task<Informer<IMeshObject>> StartSyncedAsync(KubeResource resource, KubernetesOptions? options = null)
    {
        var informer = Start(resource, options);
        await informer.Synced.WaitAsync(Eventually.Patience);
        return informer;
    }

    private static string Pod(string name, string ip, string extra = "") => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          namespace: shop
        {extra}
        status:
          podIP: {ip}
        ---

        """;

    private static string Namespace(string name) => $"""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: {name}
        ---

        """;
}
