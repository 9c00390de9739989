using ControlPlane.Kubernetes.Api;
using ControlPlane.Kubernetes.Informers;
using ControlPlane.Testing.Kubernetes;
using KubernetesClientConfiguration = k8s.KubernetesClientConfiguration;

namespace ControlPlane.Kubernetes.Tests.Api;

public sealed class KubeApiClientTests : IAsyncLifetime
{
    private const int PageSize = 500;

    private KubeApiServerDouble _api = null!;
    private KubeApiClient _client = null!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiServerDouble.StartAsync("api");
        _client = Connect(_api.ClientToken);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task ListAsync_NamespacedAndClusterScoped_ReturnsObjectsAndTheListVersion()
    {
        var version = _api.Apply("""
            apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: shop}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: b, namespace: other}
            ---
            apiVersion: v1
            kind: Node
            metadata: {name: node-a}
            """);

        var pods = await _client.ListAsync(KubeResources.Pods, null, PageSize, CancellationToken.None);
        var inShop = await _client.ListAsync(KubeResources.Pods, "shop", PageSize, CancellationToken.None);
        var nodes = await _client.ListAsync(KubeResources.Nodes, null, PageSize, CancellationToken.None);

        Assert.Equal(["other/b", "shop/a"], pods.Items.Select(p => $"{p.Namespace}/{p.Name}"));
        Assert.Equal(version.ToString(), pods.ResourceVersion);
        Assert.Equal(["a"], inShop.Items.Select(p => p.Name));
        Assert.Equal("", nodes.Items.Single().Namespace);
        Assert.Contains("\"name\":\"node-a\"", nodes.Items.Single().Json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAsync_InPages_ReturnsEveryObjectAtTheFirstPagesVersion()
    {
        var version = _api.Apply(Pods(5));
        var changedAfterFirstPage = false;
        _api.BeforeList = request =>
        {
            if (request.Query.Contains("continue=", StringComparison.Ordinal) && !changedAfterFirstPage)
            {
                changedAfterFirstPage = true;
                _api.Apply(Pods(7));
            }
        };

        var list = await _client.ListAsync(KubeResources.Pods, null, 2, CancellationToken.None);

        // The pages come from the first page's snapshot: the two pods added meanwhile come with the watch.
        Assert.Equal(["p0", "p1", "p2", "p3", "p4"], list.Items.Select(p => p.Name));
        Assert.Equal(version.ToString(), list.ResourceVersion);
        var lists = _api.Requests.Where(r => r.Verb == "list").Select(r => r.Query).ToList();
        Assert.Equal(3, lists.Count);
        Assert.All(lists, q => Assert.Contains("limit=2", q, StringComparison.Ordinal));
        Assert.Equal(2, lists.Count(q => q.Contains("continue=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ListAsync_ContinueExpiredBetweenPages_ListsAgainInOneRequest()
    {
        _api.Apply(Pods(5));
        _api.BeforeList = request =>
        {
            if (request.Query.Contains("continue=", StringComparison.Ordinal))
            {
                _api.Apply(Pods(6));
                _api.Compact();
            }
        };

        var list = await _client.ListAsync(KubeResources.Pods, null, 2, CancellationToken.None);

        Assert.Equal(["p0", "p1", "p2", "p3", "p4", "p5"], list.Items.Select(p => p.Name));
        Assert.Equal(_api.ResourceVersion.ToString(), list.ResourceVersion);
        Assert.DoesNotContain("limit=", _api.Requests.Last(r => r.Verb == "list").Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAsync_LabelSelectorOfTheResource_IsSentToTheServer()
    {
        _api.Apply("""
            apiVersion: v1
            kind: Secret
            metadata: {name: remote, namespace: istio-system, labels: {istio/multiCluster: "true"}}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: other, namespace: istio-system}
            """);

        var list = await _client.ListAsync(KubeResources.RemoteSecrets, "istio-system", PageSize, CancellationToken.None);

        Assert.Equal(["remote"], list.Items.Select(s => s.Name));
    }

    [Fact]
    public async Task ListAsync_CrdNotInstalled_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<KubeApiException>(() => _client.ListAsync(KubeResources.AuthorizationPolicies, null, PageSize, CancellationToken.None));

        Assert.True(error.IsNotFound);
        Assert.Equal("NotFound", error.Reason);
    }

    [Fact]
    public async Task ListAsync_WrongToken_ThrowsUnauthorized()
    {
        using var stranger = Connect("wrong");

        var error = await Assert.ThrowsAsync<KubeApiException>(() => stranger.ListAsync(KubeResources.Pods, null, PageSize, CancellationToken.None));

        Assert.Equal(401, error.StatusCode);
    }

    [Fact]
    public async Task WatchAsync_Events_AreParsedWithTheirResourceVersions()
    {
        var list = await _client.ListAsync(KubeResources.Services, null, PageSize, CancellationToken.None);
        using var cts = new CancellationTokenSource(Eventually.Patience);
        using var watch = await _client.WatchAsync(KubeResources.Services, null, list.ResourceVersion, 60, cts.Token);
        var added = _api.Apply("""
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            """);
        _api.Delete(ApiResource.Services, "shop", "web");
        _api.SendBookmarks();

        var first = await watch.ReadAsync(cts.Token);
        var second = await watch.ReadAsync(cts.Token);
        var third = await watch.ReadAsync(cts.Token);

        Assert.Equal((WatchEventType.Added, "web", added.ToString()), (first!.Type, first.Object!.Name, first.Object.ResourceVersion));
        Assert.Equal(WatchEventType.Deleted, second!.Type);
        Assert.Equal((WatchEventType.Bookmark, _api.ResourceVersion.ToString()), (third!.Type, third.ResourceVersion));
    }

    [Fact]
    public async Task WatchAsync_ExpiredVersion_YieldsAnExpiredErrorThenEnds()
    {
        var list = await _client.ListAsync(KubeResources.Namespaces, null, PageSize, CancellationToken.None);
        _api.Apply("""
            apiVersion: v1
            kind: Namespace
            metadata: {name: later}
            """);
        _api.Compact();
        using var cts = new CancellationTokenSource(Eventually.Patience);

        using var watch = await _client.WatchAsync(KubeResources.Namespaces, null, list.ResourceVersion, 60, cts.Token);
        var error = await watch.ReadAsync(cts.Token);

        Assert.Equal(WatchEventType.Error, error!.Type);
        Assert.True(error.Status!.IsExpired);
        Assert.Null(await watch.ReadAsync(cts.Token));
    }

    [Fact]
    public void ParseEvent_GarbledLine_ThrowsFormatOrJsonError()
    {
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => KubeApiClient.ParseEvent("{not json"));
        Assert.Throws<FormatException>(() => KubeApiClient.ParseEvent("""{"type":"EXPLODED","object":{}}"""));
        Assert.Throws<FormatException>(() => KubeApiClient.ParseEvent("""{"type":"ADDED","object":{"metadata":{}}}"""));
    }

    private static string Pods(int count) => string.Join("---\n", Enumerable.Range(0, count).Select(i => $"apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: shop}}\n"));

    private KubeApiClient Connect(string token) =>
        new(new KubernetesClientConfiguration { Host = _api.Url.ToString(), AccessToken = token }, TimeSpan.FromSeconds(30));
}
