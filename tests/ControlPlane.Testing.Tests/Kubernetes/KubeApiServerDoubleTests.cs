using System.Net;
using System.Text.Json.Nodes;
using ControlPlane.Testing.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ControlPlane.Testing.Tests.Kubernetes;

/// <summary>The double, driven through the real KubernetesClient as the control plane drives a real API server.</summary>
public sealed class KubeApiServerDoubleTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private KubeApiServerDouble _api = null!;
    private IKubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiServerDouble.StartAsync("alpha");
        _client = _api.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task List_AppliedPods_ReturnsThemWithTheClusterResourceVersion()
    {
        var version = _api.Apply(Pod("shop", "a", "10.0.0.1") + "---\n" + Pod("shop", "b", "10.0.0.2") + "---\n" + Pod("other", "c", "10.0.0.3"));

        var inShop = await _client.CoreV1.ListNamespacedPodAsync("shop");
        var all = await _client.CoreV1.ListPodForAllNamespacesAsync();

        Assert.Equal(["a", "b"], inShop.Items.Select(p => p.Metadata.Name));
        Assert.Equal("10.0.0.2", inShop.Items[1].Status.PodIP);
        Assert.Equal(3, all.Items.Count);
        Assert.Equal(version.ToString(), inShop.Metadata.ResourceVersion);
        Assert.All(all.Items, p => Assert.False(string.IsNullOrEmpty(p.Metadata.Uid)));
    }

    [Fact]
    public async Task Watch_FromListResourceVersion_StreamsOnlyLaterChangesInOrder()
    {
        _api.Apply(Pod("shop", "before", "10.0.0.1"));
        var list = await _client.CoreV1.ListNamespacedPodAsync("shop");
        using var cts = new CancellationTokenSource(Patience);
        var events = _client.CoreV1.WatchListNamespacedPodAsync("shop", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cts.Token)
            .GetAsyncEnumerator(cts.Token);
        await WaitUntilAsync(() => _api.OpenWatches == 1, "the watch is open");

        _api.Apply(Pod("shop", "after", "10.0.0.2"));
        _api.Apply(Pod("shop", "after", "10.0.0.3"));
        _api.Apply(Pod("elsewhere", "ignored", "10.0.0.4"));
        _api.Delete(ApiResource.Pods, "shop", "before");

        var seen = new List<(WatchEventType, string, string?)>();
        while (seen.Count < 3 && await events.MoveNextAsync())
        {
            var (type, pod) = events.Current;
            seen.Add((type, pod.Metadata.Name, pod.Status?.PodIP));
        }
        Assert.Equal([(WatchEventType.Added, "after", "10.0.0.2"), (WatchEventType.Modified, "after", "10.0.0.3"), (WatchEventType.Deleted, "before", "10.0.0.1")], seen);
        Assert.Equal(_api.ResourceVersion.ToString(), events.Current.Item2.Metadata.ResourceVersion);
        await events.DisposeAsync();
    }

    [Fact]
    public async Task Watch_ClusterScopedResource_StreamsLiveChanges()
    {
        var list = await _client.CoreV1.ListNamespaceAsync();
        using var cts = new CancellationTokenSource(Patience);
        var events = _client.CoreV1.WatchListNamespaceAsync(resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cts.Token)
            .GetAsyncEnumerator(cts.Token);
        await WaitUntilAsync(() => _api.OpenWatches == 1, "the watch is open");

        _api.Apply(Namespace("later"));
        _api.Delete(ApiResource.Namespaces, null, "later");

        Assert.True(await events.MoveNextAsync());
        Assert.Equal((WatchEventType.Added, "later"), (events.Current.Item1, events.Current.Item2.Metadata.Name));
        Assert.True(await events.MoveNextAsync());
        Assert.Equal(WatchEventType.Deleted, events.Current.Item1);
        await events.DisposeAsync();
    }

    [Fact]
    public async Task Watch_WithoutResourceVersion_StartsWithSyntheticAddsOfExistingObjects()
    {
        _api.Apply(Namespace("one") + "---\n" + Namespace("two"));
        using var cts = new CancellationTokenSource(Patience);
        var names = new List<string>();
        await foreach (var (type, ns) in _client.CoreV1.WatchListNamespaceAsync(cancellationToken: cts.Token))
        {
            Assert.Equal(WatchEventType.Added, type);
            names.Add(ns.Metadata.Name);
            if (names.Count == 2)
            {
                break;
            }
        }
        Assert.Equal(["one", "two"], names);
    }

    [Fact]
    public async Task Watch_LabelSelector_SendsAddedAndDeletedWhenObjectsStartOrStopMatching()
    {
        var list = await _client.CoreV1.ListNamespacedSecretAsync("istio-system", labelSelector: "istio/multiCluster=true");
        using var cts = new CancellationTokenSource(Patience);
        var events = _client.CoreV1.WatchListNamespacedSecretAsync("istio-system", labelSelector: "istio/multiCluster=true",
            resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
        await WaitUntilAsync(() => _api.OpenWatches == 1, "the watch is open");

        _api.Apply(Secret("plain", labels: "{}"));
        _api.Apply(Secret("plain", labels: "{istio/multiCluster: \"true\"}"));
        _api.Apply(Secret("plain", labels: "{istio/multiCluster: \"true\", extra: x}"));
        _api.Apply(Secret("plain", labels: "{istio/multiCluster: \"false\"}"));

        var seen = new List<WatchEventType>();
        while (seen.Count < 3 && await events.MoveNextAsync())
        {
            seen.Add(events.Current.Item1);
        }
        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], seen);
        await events.DisposeAsync();
    }

    [Fact]
    public async Task Watch_FromVersionBeforeCompaction_GetsExpiredErrorEvent()
    {
        var list = await _client.CoreV1.ListPodForAllNamespacesAsync();
        _api.Apply(Pod("shop", "a", "10.0.0.1"));
        _api.Compact();

        using var watch = await OpenWatchAsync($"/api/v1/pods?watch=true&resourceVersion={list.Metadata.ResourceVersion}");
        var error = JsonNode.Parse((await watch.ReadLineAsync())!)!;

        Assert.Equal("ERROR", error["type"]!.GetValue<string>());
        Assert.Equal(410, error["object"]!["code"]!.GetValue<int>());
        Assert.Equal("Expired", error["object"]!["reason"]!.GetValue<string>());
        Assert.Null(await watch.ReadLineAsync());
    }

    [Fact]
    public async Task SendBookmarks_WatchAllowingBookmarks_ReceivesTheCurrentResourceVersion()
    {
        var list = await _client.CoreV1.ListNodeAsync();
        using var cts = new CancellationTokenSource(Patience);
        var events = _client.CoreV1.WatchListNodeAsync(allowWatchBookmarks: true, resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cts.Token)
            .GetAsyncEnumerator(cts.Token);
        await WaitUntilAsync(() => _api.OpenWatches == 1, "the watch is open");
        var version = _api.Apply(Pod("shop", "unrelated", "10.0.0.9"));

        _api.SendBookmarks();

        Assert.True(await events.MoveNextAsync());
        Assert.Equal(WatchEventType.Bookmark, events.Current.Item1);
        Assert.Equal(version.ToString(), events.Current.Item2.Metadata.ResourceVersion);
        await events.DisposeAsync();
    }

    [Fact]
    public async Task DropWatches_OpenWatch_EndsTheStreamCleanly()
    {
        using var watch = await OpenWatchAsync($"/api/v1/namespaces?watch=true&resourceVersion={_api.ResourceVersion}");
        await WaitUntilAsync(() => _api.OpenWatches == 1, "the watch is open");

        _api.DropWatches();

        Assert.Null(await watch.ReadLineAsync());
    }

    [Fact]
    public async Task DropWatches_Abort_BreaksTheConnection()
    {
        using var watch = await OpenWatchAsync($"/api/v1/namespaces?watch=true&resourceVersion={_api.ResourceVersion}");
        await WaitUntilAsync(() => _api.OpenWatches == 1, "the watch is open");

        _api.DropWatches(abort: true);

        await Assert.ThrowsAnyAsync<IOException>(async () => await watch.ReadLineAsync());
    }

    [Fact]
    public async Task Watch_TimeoutSeconds_EndsTheStreamCleanly()
    {
        using var watch = await OpenWatchAsync($"/api/v1/namespaces?watch=true&resourceVersion={_api.ResourceVersion}&timeoutSeconds=1");

        Assert.Null(await watch.ReadLineAsync());
        Assert.Equal(0, _api.OpenWatches);
    }

    [Fact]
    public async Task Reachable_False_DropsOpenWatchesAndRefusesRequests()
    {
        using var watch = await OpenWatchAsync($"/api/v1/pods?watch=true&resourceVersion={_api.ResourceVersion}");
        await WaitUntilAsync(() => _api.OpenWatches == 1, "the watch is open");

        _api.Reachable = false;

        await Assert.ThrowsAnyAsync<IOException>(async () => await watch.ReadLineAsync());
        await Assert.ThrowsAsync<HttpRequestException>(() => _client.CoreV1.ListNamespaceAsync());
        _api.Reachable = true;
        Assert.Empty((await _client.CoreV1.ListNamespaceAsync()).Items);
    }

    [Fact]
    public async Task Requests_WithAnotherToken_AreUnauthorized()
    {
        using var stranger = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _api.Url.ToString(), AccessToken = "not-the-token" });

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => stranger.CoreV1.ListNamespaceAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, error.Response.StatusCode);
    }

    [Fact]
    public async Task Kubeconfig_LoadedByKubernetesClient_ReachesThisCluster()
    {
        _api.Apply(Namespace("from-kubeconfig"));
        var directory = Path.Combine(Path.GetTempPath(), $"kubeconfig-{Guid.NewGuid():N}");
        try
        {
            var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(_api.WriteKubeconfig(directory));
            using var client = new k8s.Kubernetes(config);

            Assert.Equal("from-kubeconfig", (await client.CoreV1.ReadNamespaceAsync("from-kubeconfig")).Metadata.Name);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task CustomResource_NotInstalled_IsNotFoundUntilInstalled()
    {
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _client.CustomObjects.ListClusterCustomObjectAsync("networking.istio.io", "v1", "serviceentries"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);

        _api.Install(ApiResource.ServiceEntries);
        _api.Apply("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: external, namespace: shop}
            spec: {hosts: [example.com], resolution: DNS}
            """);
        var list = await _client.CustomObjects.ListNamespacedCustomObjectAsync<JsonObject>("networking.istio.io", "v1", "shop", "serviceentries");

        Assert.Equal("example.com", list["items"]![0]!["spec"]!["hosts"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Forbid_Resource_AnswersForbiddenUntilAllowed()
    {
        _api.Forbid(ApiResource.Nodes);
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ListNodeAsync());
        Assert.Equal(HttpStatusCode.Forbidden, error.Response.StatusCode);

        _api.Forbid(ApiResource.Nodes, forbidden: false);
        Assert.Empty((await _client.CoreV1.ListNodeAsync()).Items);
    }

    [Fact]
    public async Task Writes_SecretsAndConfigMaps_BehaveAsTheApiServer()
    {
        var created = await _client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "istio-ca-secret", NamespaceProperty = "istio-system" },
            Type = "istio.io/ca-root",
            Data = new Dictionary<string, byte[]> { ["ca-cert.pem"] = "cert"u8.ToArray() },
        }, "istio-system");
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));
        var duplicate = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "istio-ca-secret" } }, "istio-system"));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.Response.StatusCode);

        var read = await _client.CoreV1.ReadNamespacedSecretAsync("istio-ca-secret", "istio-system");
        Assert.Equal("cert"u8.ToArray(), read.Data["ca-cert.pem"]);

        var configMap = await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "istio-ca-root-cert" },
            Data = new Dictionary<string, string> { ["root-cert.pem"] = "one" },
        }, "shop");
        configMap.Data["root-cert.pem"] = "two";
        var replaced = await _client.CoreV1.ReplaceNamespacedConfigMapAsync(configMap, "istio-ca-root-cert", "shop");
        Assert.Equal("two", replaced.Data["root-cert.pem"]);

        configMap.Data["root-cert.pem"] = "stale";
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _client.CoreV1.ReplaceNamespacedConfigMapAsync(configMap, "istio-ca-root-cert", "shop"));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);

        var patched = await _client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"data":{"extra":"x"}}""", V1Patch.PatchType.MergePatch), "istio-ca-root-cert", "shop");
        Assert.Equal(new Dictionary<string, string> { ["root-cert.pem"] = "two", ["extra"] = "x" }, patched.Data);

        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReadNamespacedConfigMapAsync("istio-ca-root-cert", "other"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);

        await _client.CoreV1.DeleteNamespacedConfigMapAsync("istio-ca-root-cert", "shop");
        Assert.Null(_api.Get(ApiResource.ConfigMaps, "shop", "istio-ca-root-cert"));
    }

    [Fact]
    public async Task TokenReview_BoundServiceAccountToken_AuthenticatesWithPodExtras()
    {
        _api.AddToken("ztunnel-token", TokenIdentity.ServiceAccount("istio-system", "ztunnel", "ztunnel-abc", "uid-1", "istio-ca"));

        var review = await _client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview
        {
            Spec = new V1TokenReviewSpec { Token = "ztunnel-token", Audiences = ["istio-ca"] },
        });

        Assert.True(review.Status.Authenticated);
        Assert.Equal("system:serviceaccount:istio-system:ztunnel", review.Status.User.Username);
        Assert.Contains("system:serviceaccounts:istio-system", review.Status.User.Groups);
        Assert.Equal(["ztunnel-abc"], review.Status.User.Extra["authentication.kubernetes.io/pod-name"]);
        Assert.Equal(["uid-1"], review.Status.User.Extra["authentication.kubernetes.io/pod-uid"]);
        Assert.Equal(["istio-ca"], review.Status.Audiences);
        Assert.Contains(_api.Requests, r => r.Verb == "tokenreview");
    }

    [Theory]
    [InlineData("ztunnel-token", "other-audience")]
    [InlineData("unknown-token", "istio-ca")]
    public async Task TokenReview_WrongAudienceOrUnknownToken_IsNotAuthenticated(string token, string audience)
    {
        _api.AddToken("ztunnel-token", TokenIdentity.ServiceAccount("istio-system", "ztunnel", "ztunnel-abc", "uid-1", "istio-ca"));

        var review = await _client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview
        {
            Spec = new V1TokenReviewSpec { Token = token, Audiences = [audience] },
        });

        Assert.False(review.Status.Authenticated);
        Assert.False(string.IsNullOrEmpty(review.Status.Error));
    }

    [Fact]
    public async Task TokenReview_ExpiredToken_IsNotAuthenticated()
    {
        _api.AddToken("expired", TokenIdentity.ServiceAccount("istio-system", "ztunnel", "ztunnel-abc", "uid-1", "istio-ca") with
        {
            ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1),
        });

        var review = await _client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview
        {
            Spec = new V1TokenReviewSpec { Token = "expired", Audiences = ["istio-ca"] },
        });

        Assert.False(review.Status.Authenticated);
        Assert.Contains("expired", review.Status.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenReview_DefaultAudienceToken_WithoutRequestedAudiences_Authenticates()
    {
        _api.AddToken("legacy", new TokenIdentity { Username = "system:serviceaccount:shop:default" });

        var review = await _client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = "legacy" } });

        Assert.True(review.Status.Authenticated);
        Assert.Equal(KubeApiServerDouble.DefaultAudiences, review.Status.Audiences);
    }

    [Fact]
    public async Task StartAsync_SecondCluster_IsIndependent()
    {
        await using var beta = await KubeApiServerDouble.StartAsync("beta");
        using var betaClient = beta.CreateClient();
        beta.Apply(Namespace("only-in-beta"));

        Assert.NotEqual(_api.Url, beta.Url);
        Assert.Single((await betaClient.CoreV1.ListNamespaceAsync()).Items);
        Assert.Empty((await _client.CoreV1.ListNamespaceAsync()).Items);
        await Assert.ThrowsAsync<HttpOperationException>(() =>
            new k8s.Kubernetes(new KubernetesClientConfiguration { Host = beta.Url.ToString(), AccessToken = _api.ClientToken }).CoreV1.ListNamespaceAsync());
    }

    /// <summary>A raw watch stream, read line by line (KubernetesClient's typed watch throws on a stream that ends before its first event).</summary>
    private async Task<RawWatch> OpenWatchAsync(string pathAndQuery)
    {
        var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_api.Url, pathAndQuery));
        request.Headers.Authorization = new("Bearer", _api.ClientToken);
        using var cts = new CancellationTokenSource(Patience);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new RawWatch(http, response, new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token)));
    }

    private sealed class RawWatch(HttpClient http, HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public async Task<string?> ReadLineAsync()
        {
            using var cts = new CancellationTokenSource(Patience);
            return await reader.ReadLineAsync(cts.Token);
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
            http.Dispose();
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(10);
        }
    }

    private static string Namespace(string name) => $"""
        apiVersion: v1
        kind: Namespace
        metadata: {"{"}name: {name}{"}"}

        """;

    private static string Pod(string ns, string name, string ip) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          namespace: {ns}
        status:
          podIP: {ip}

        """;

    private static string Secret(string name, string labels) => $"""
        apiVersion: v1
        kind: Secret
        metadata:
          name: {name}
          namespace: istio-system
          labels: {labels}
        data:
          cluster: c2VjcmV0

        """;
}
