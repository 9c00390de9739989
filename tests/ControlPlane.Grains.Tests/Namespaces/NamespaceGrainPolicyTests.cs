using ControlPlane.Ambient.Model;
using ControlPlane.Xds;
using static ControlPlane.Grains.Tests.Changes;

namespace ControlPlane.Grains.Tests.Namespaces;

public sealed class NamespaceGrainPolicyTests(TwoSiloCluster cluster) : IClassFixture<TwoSiloCluster>
{
    [Fact]
    public async Task ApplyAsync_SelectorPolicy_PublishesItAndRelistsOnlySelectedWorkloads()
    {
        using var probe = new HubProbe(cluster.Hub(1));
        await cluster.Sink.ApplyAsync(Upsert(Join(
            Pod("p1", "web-1", "10.10.1.1"),
            Pod("p1", "web-2", "10.10.1.2"),
            Pod("p1", "db", "10.10.1.3", labels: "app: db"))), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.Get("Kubernetes//Pod/p1/db") is not null, "p1 loaded");
        await probe.SettleAsync();
        probe.Clear();

        await cluster.Sink.ApplyAsync(Upsert(Policy("p1", "web-only")), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.GetAuthorization("p1/web-only") is not null && p.Get("Kubernetes//Pod/p1/web-2")!.Workload.AuthorizationPolicies.Count == 1, "policy applied");
        await probe.SettleAsync();

        Assert.Equal(["p1/web-only"], probe.TakeChanged(TypeUrls.Authorization));
        Assert.Equal(["Kubernetes//Pod/p1/web-1", "Kubernetes//Pod/p1/web-2"], probe.TakeChanged());
        Assert.Equal(["p1/web-only"], probe.Get("Kubernetes//Pod/p1/web-1")!.Workload.AuthorizationPolicies);
        Assert.Empty(probe.Get("Kubernetes//Pod/p1/db")!.Workload.AuthorizationPolicies);
    }

    [Fact]
    public async Task ApplyAsync_PolicyUnchangedThenDeleted_PublishesNothingThenRemovesIt()
    {
        using var probe = new HubProbe(cluster.Hub(0));
        var objects = Join(Pod("p2", "web", "10.10.2.1"), Policy("p2", "allow-web"));
        await cluster.Sink.ApplyAsync(Upsert(objects), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.GetAuthorization("p2/allow-web") is not null, "p2 loaded");
        await probe.SettleAsync();
        probe.Clear();

        // The same objects again: equal content, nothing published.
        await cluster.Sink.ApplyAsync(Upsert(objects), CancellationToken.None);
        await probe.SettleAsync();
        Assert.Empty(probe.TakeChanged());
        Assert.Empty(probe.TakeChanged(TypeUrls.Authorization));

        await cluster.Sink.ApplyAsync(Delete(Kinds.AuthorizationPolicy, "p2", "allow-web"), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.GetAuthorization("p2/allow-web") is null, "policy removed");
        await probe.SettleAsync();

        Assert.Equal(["p2/allow-web"], probe.TakeChanged(TypeUrls.Authorization));
        Assert.Equal(["Kubernetes//Pod/p2/web"], probe.TakeChanged());
        Assert.Empty(probe.Get("Kubernetes//Pod/p2/web")!.Workload.AuthorizationPolicies);
    }

    [Fact]
    public async Task ApplyAsync_StrictNamespacePeerAuthentication_StaticPolicyPublishedAndListedInThatNamespaceOnly()
    {
        using var probe = new HubProbe(cluster.Hub(1));
        await cluster.Sink.ApplyAsync(Upsert(Join(Pod("p3", "strict-me", "10.10.3.1"), Pod("p4", "leave-me", "10.10.4.1"))), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.Get("Kubernetes//Pod/p4/leave-me") is not null, "p3 and p4 loaded");
        await probe.SettleAsync();
        probe.Clear();

        await cluster.Sink.ApplyAsync(Upsert(PeerAuthentication("p3", "default", "STRICT")), CancellationToken.None);
        await probe.WaitUntilAsync(
            p => p.GetAuthorization("istio-system/istio_converted_static_strict") is not null &&
                 p.Get("Kubernetes//Pod/p3/strict-me")!.Workload.AuthorizationPolicies.Count == 1,
            "static policy published and listed");
        await probe.SettleAsync();

        Assert.Equal(["istio-system/istio_converted_static_strict"], probe.Get("Kubernetes//Pod/p3/strict-me")!.Workload.AuthorizationPolicies);
        Assert.DoesNotContain("Kubernetes//Pod/p4/leave-me", probe.TakeChanged());
        Assert.Contains("istio-system/istio_converted_static_strict", probe.TakeChanged(TypeUrls.Authorization));
    }
}
