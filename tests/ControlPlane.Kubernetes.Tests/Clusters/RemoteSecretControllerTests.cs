using ControlPlane.Ambient.Model;
using ControlPlane.Testing.Kubernetes;
using k8s;

namespace ControlPlane.Kubernetes.Tests.Clusters;

public sealed class RemoteSecretControllerTests
{
    [Fact]
    public async Task ApplyAsync_SecretAdded_StartsTheRemoteClusterAndObjectsMeetByNamespace()
    {
        await using var h = await SourceHarness.StartAsync(Pod("shop", "local-pod", "10.0.0.1"));
        var remote = await h.StartRemoteAsync("east", Pod("shop", "east-pod", "10.1.0.1") + Namespace("shop"));

        h.ApplySecret("istio-remote-secret-east", ("east", remote.Kubeconfig()));

        await Eventually.WaitUntilAsync(() => h.Sink.Has("east", Kinds.Pod, "shop", "east-pod"), "the remote pod arrived");
        // Each resource has its own informer, so the namespace may arrive after the pod.
        await Eventually.WaitUntilAsync(() => h.Sink.Has("east", Kinds.Namespace, "", "shop"), "the remote namespace arrived");
        Assert.True(h.Sink.Has("local", Kinds.Pod, "shop", "local-pod"));
        await Eventually.WaitUntilAsync(() => h.Status("east")?.Synced == true, "the remote cluster synced");
        var status = h.Status("east")!;
        Assert.Equal("istio-system/istio-remote-secret-east", status.Secret);
        Assert.False(status.Stale);
        // Remote clusters watch only what spec §4 needs from them: no Istio config, no Secrets.
        Assert.DoesNotContain(status.Informers, i => i.Resource.Contains("istio.io", StringComparison.Ordinal) || i.Resource == "secrets");
        var client = h.Registry.ForCluster("east");
        Assert.NotNull(client);
        Assert.Equal("east-pod", (await client.CoreV1.ListNamespacedPodAsync("shop")).Items.Single().Metadata.Name);
        Assert.Contains("east", h.Registry.ClusterIds);
        Assert.Same(h.Registry.Local, h.Registry.ForCluster(""));
        Assert.Same(h.Registry.Local, h.Registry.ForCluster("local"));
        Assert.Null(h.Registry.ForCluster("unknown"));
    }

    [Fact]
    public async Task ApplyAsync_KubeconfigChangedForTheSameServer_RestartsWithoutChurn()
    {
        await using var h = await SourceHarness.StartAsync();
        var remote = await h.StartRemoteAsync("east", Pod("shop", "a", "10.1.0.1") + Pod("shop", "b", "10.1.0.2"));
        h.ApplySecret("east-secret", ("east", remote.Kubeconfig()));
        await Eventually.WaitUntilAsync(() => h.Status("east")?.Synced == true && h.Sink.Has("east", Kinds.Pod, "shop", "b"), "east synced");
        var listsBefore = remote.Requests.Count(r => r.Verb == "list");
        h.Sink.Take();

        // Same server and credentials, written differently (e.g. a rotated secret's new formatting).
        h.ApplySecret("east-secret", ("east", remote.Kubeconfig() + "\npreferences: {}\n"));

        await Eventually.WaitUntilAsync(() => remote.Requests.Count(r => r.Verb == "list") >= listsBefore * 2, "the informers relisted");
        await Eventually.WaitUntilAsync(() => h.Status("east")?.Stale == false, "east is healthy again");
        Assert.Empty(h.Sink.Take());
        Assert.True(h.Sink.Has("east", Kinds.Pod, "shop", "a"));
    }

    [Fact]
    public async Task ApplyAsync_KubeconfigPointsElsewhere_DeliversTheDifferences()
    {
        await using var h = await SourceHarness.StartAsync();
        var before = await h.StartRemoteAsync("east-1", Pod("shop", "kept", "10.1.0.1") + Pod("shop", "gone", "10.1.0.2"));
        var after = await h.StartRemoteAsync("east-2", Pod("shop", "kept", "10.1.0.1") + Pod("shop", "new", "10.1.0.3"));
        h.ApplySecret("east-secret", ("east", before.Kubeconfig()));
        await Eventually.WaitUntilAsync(() => h.Sink.Has("east", Kinds.Pod, "shop", "gone"), "east synced");
        h.Sink.Take();

        h.ApplySecret("east-secret", ("east", after.Kubeconfig()));

        await Eventually.WaitUntilAsync(() => h.Sink.Has("east", Kinds.Pod, "shop", "new") && !h.Sink.Has("east", Kinds.Pod, "shop", "gone"), "east moved");
        Assert.Equal(["east/Pod/shop/gone:delete", "east/Pod/shop/new:upsert"], h.Sink.Take());
    }

    [Fact]
    public async Task ApplyAsync_SecretDeleted_RemovesExactlyThatClustersObjects()
    {
        await using var h = await SourceHarness.StartAsync(Pod("shop", "local-pod", "10.0.0.1"));
        var east = await h.StartRemoteAsync("east", Pod("shop", "east-pod", "10.1.0.1") + Namespace("shop"));
        var west = await h.StartRemoteAsync("west", Pod("shop", "west-pod", "10.2.0.1"));
        h.ApplySecret("east-secret", ("east", east.Kubeconfig()));
        h.ApplySecret("west-secret", ("west", west.Kubeconfig()));
        // Each resource has its own informer: the namespace may arrive after the pods.
        await Eventually.WaitUntilAsync(
            () => h.Sink.Has("east", Kinds.Pod, "shop", "east-pod") && h.Sink.Has("east", Kinds.Namespace, "", "shop") && h.Sink.Has("west", Kinds.Pod, "shop", "west-pod"),
            "both remotes synced");
        h.Sink.Take();

        h.Local.Delete(ApiResource.Secrets, "istio-system", "east-secret");

        await Eventually.WaitUntilAsync(() => h.Status("east") is null, "east is gone");
        Assert.Equal(["east/Namespace/shop:delete", "east/Pod/shop/east-pod:delete"], h.Sink.Take());
        Assert.True(h.Sink.Has("west", Kinds.Pod, "shop", "west-pod"));
        Assert.True(h.Sink.Has("local", Kinds.Pod, "shop", "local-pod"));
        Assert.Null(h.Registry.ForCluster("east"));
    }

    [Fact]
    public async Task ApplyAsync_ClusterKeyRemovedOrLabelDropped_RemovesThoseClusters()
    {
        await using var h = await SourceHarness.StartAsync();
        var east = await h.StartRemoteAsync("east", Pod("shop", "east-pod", "10.1.0.1"));
        var west = await h.StartRemoteAsync("west", Pod("shop", "west-pod", "10.2.0.1"));
        h.ApplySecret("both", ("east", east.Kubeconfig()), ("west", west.Kubeconfig()));
        await Eventually.WaitUntilAsync(() => h.Sink.Has("east", Kinds.Pod, "shop", "east-pod") && h.Sink.Has("west", Kinds.Pod, "shop", "west-pod"), "both remotes synced");

        h.ApplySecret("both", ("west", west.Kubeconfig()));
        await Eventually.WaitUntilAsync(() => !h.Sink.Has("east", Kinds.Pod, "shop", "east-pod"), "east removed");
        Assert.True(h.Sink.Has("west", Kinds.Pod, "shop", "west-pod"));

        // Without the label the Secret leaves the watch: a DELETED event for the informer.
        h.Local.Apply(SourceHarness.Secret("both", ("west", west.Kubeconfig())).Replace("istio/multiCluster: \"true\"", "other: label", StringComparison.Ordinal));
        await Eventually.WaitUntilAsync(() => !h.Sink.Has("west", Kinds.Pod, "shop", "west-pod") && h.Status("west") is null, "west removed");
    }

    [Fact]
    public async Task ApplyAsync_LocalClusterIdOrAnIdOfAnotherSecret_IsIgnored()
    {
        await using var h = await SourceHarness.StartAsync(Pod("shop", "local-pod", "10.0.0.1"));
        var east = await h.StartRemoteAsync("east", Pod("shop", "east-pod", "10.1.0.1"));
        var impostor = await h.StartRemoteAsync("impostor", Pod("shop", "impostor-pod", "10.9.0.1"));
        h.ApplySecret("first", ("east", east.Kubeconfig()));
        await Eventually.WaitUntilAsync(() => h.Sink.Has("east", Kinds.Pod, "shop", "east-pod"), "east synced");

        h.ApplySecret("second", ("east", impostor.Kubeconfig()), ("local", impostor.Kubeconfig()));

        await Eventually.WaitUntilAsync(() => h.Log.Lines.Any(l => l.Contains("Ignoring cluster local in secret istio-system/second", StringComparison.Ordinal)), "local id ignored");
        Assert.Contains(h.Log.Lines, l => l.Contains("Ignoring cluster east in secret istio-system/second: already registered by istio-system/first", StringComparison.Ordinal));
        Assert.Equal("istio-system/first", h.Status("east")!.Secret);
        Assert.Empty(impostor.Requests);
        Assert.DoesNotContain(h.Sink.Objects.Keys, k => k.Name == "impostor-pod");
    }

    [Fact]
    public async Task ApplyAsync_UnusableKubeconfig_IsReportedWithoutItsContentAndFixedLater()
    {
        await using var h = await SourceHarness.StartAsync();
        var east = await h.StartRemoteAsync("east", Pod("shop", "east-pod", "10.1.0.1"));
        var exec = east.Kubeconfig().Replace($"token: {east.ClientToken}", "exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/steal-TOPSECRET}", StringComparison.Ordinal);
        const string garbage = "clusters: [TOPSECRET-token: {unclosed";

        h.ApplySecret("bad", ("east", exec), ("west", garbage));

        await Eventually.WaitUntilAsync(() => h.Status("east")?.ConfigError is not null && h.Status("west")?.ConfigError is not null, "both refused");
        Assert.Contains("uses exec", h.Status("east")!.ConfigError, StringComparison.Ordinal);
        Assert.Contains("not a valid kubeconfig", h.Status("west")!.ConfigError, StringComparison.Ordinal);
        Assert.True(h.Status("east")!.Stale);
        Assert.Null(h.Registry.ForCluster("east"));
        Assert.DoesNotContain(h.Log.Lines, l => l.Contains("TOPSECRET", StringComparison.Ordinal));
        Assert.DoesNotContain(h.Registry.Status(), s => s.ConfigError?.Contains("TOPSECRET", StringComparison.Ordinal) == true);

        h.ApplySecret("bad", ("east", east.Kubeconfig()));

        await Eventually.WaitUntilAsync(() => h.Sink.Has("east", Kinds.Pod, "shop", "east-pod"), "the fixed cluster synced");
        Assert.Null(h.Status("east")!.ConfigError);
        Assert.Null(h.Status("west"));
    }

    [Fact]
    public async Task RemoteCluster_RefusedCredentials_IsStaleWithTheErrorUntilTheSecretIsFixed()
    {
        await using var h = await SourceHarness.StartAsync();
        var east = await h.StartRemoteAsync("east", Pod("shop", "east-pod", "10.1.0.1"));

        h.ApplySecret("east-secret", ("east", east.Kubeconfig(token: "revoked")));

        await Eventually.WaitUntilAsync(() => h.Status("east")?.Informers.Any(i => i.LastError?.Contains("401", StringComparison.Ordinal) == true) == true, "the 401 is reported");
        Assert.True(h.Status("east")!.Stale);
        Assert.False(h.Status("east")!.Synced);
        Assert.DoesNotContain(h.Log.Lines, l => l.Contains("revoked", StringComparison.Ordinal));

        h.ApplySecret("east-secret", ("east", east.Kubeconfig()));

        await Eventually.WaitUntilAsync(() => h.Sink.Has("east", Kinds.Pod, "shop", "east-pod") && h.Status("east")?.Stale == false, "east synced");
    }

    [Fact]
    public async Task RemoteCluster_Unreachable_KeepsItsObjectsMarkedStaleThenResyncs()
    {
        await using var h = await SourceHarness.StartAsync();
        var east = await h.StartRemoteAsync("east", Pod("shop", "a", "10.1.0.1") + Pod("shop", "b", "10.1.0.2"));
        h.ApplySecret("east-secret", ("east", east.Kubeconfig()));
        await Eventually.WaitUntilAsync(() => h.Status("east")?.Synced == true && h.Sink.Has("east", Kinds.Pod, "shop", "b"), "east synced");
        h.Sink.Take();

        east.Reachable = false;
        await Eventually.WaitUntilAsync(() => h.Status("east")!.Stale, "east is stale");
        Assert.Empty(h.Sink.Take());
        Assert.True(h.Sink.Has("east", Kinds.Pod, "shop", "a") && h.Sink.Has("east", Kinds.Pod, "shop", "b"));
        Assert.Contains(h.Status("east")!.Informers, i => i.LastError is not null);

        east.Apply(Pod("shop", "a", "10.1.0.11"));
        east.Delete(ApiResource.Pods, "shop", "b");
        east.Reachable = true;

        await Eventually.WaitUntilAsync(() => !h.Sink.Has("east", Kinds.Pod, "shop", "b"), "the outage's changes arrived");
        await Eventually.WaitUntilAsync(() => !h.Status("east")!.Stale, "east is fresh again");
        Assert.Equal("10.1.0.11", h.Sink.Get<Pod>("east", Kinds.Pod, "shop", "a")!.Ips.Single());
        Assert.Equal(["east/Pod/shop/a:upsert", "east/Pod/shop/b:delete"], h.Sink.Take());
    }

    private static string Pod(string ns, string name, string ip) => $"""
        apiVersion: v1
        kind: Pod
        metadata: {"{"}name: {name}, namespace: {ns}{"}"}
        status: {"{"}podIP: {ip}{"}"}
        ---

        """;

    private static string Namespace(string name) => $"""
        apiVersion: v1
        kind: Namespace
        metadata: {"{"}name: {name}{"}"}
        ---

        """;
}
