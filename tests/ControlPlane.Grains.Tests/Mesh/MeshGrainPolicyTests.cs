using ControlPlane.Ambient.Model;
using ControlPlane.Xds;
using static ControlPlane.Grains.Tests.Changes;

namespace ControlPlane.Grains.Tests.Mesh;

public sealed class MeshGrainPolicyTests(TwoSiloCluster cluster) : IClassFixture<TwoSiloCluster>
{
    [Fact]
    public async Task ApplyAsync_RootNamespaceSelectorPolicy_ListedOnMatchingWorkloadsInEveryNamespace()
    {
        using var probe = new HubProbe(cluster.Hub(1));
        await cluster.Sink.ApplyAsync(Upsert(Join(
            Pod("r1", "web", "10.11.1.1"),
            Pod("r1", "db", "10.11.1.2", labels: "app: db"),
            Pod("r2", "web", "10.11.2.1"))), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.Get("Kubernetes//Pod/r2/web") is not null, "loaded");
        await probe.SettleAsync();
        probe.Clear();

        await cluster.Sink.ApplyAsync(Upsert(Policy("istio-system", "all-webs")), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.Get("Kubernetes//Pod/r2/web")!.Workload.AuthorizationPolicies.Contains("istio-system/all-webs"), "listed in r2");
        await probe.SettleAsync();

        Assert.Equal(["Kubernetes//Pod/r1/web", "Kubernetes//Pod/r2/web"], probe.TakeChanged());
        Assert.Equal(["istio-system/all-webs"], probe.TakeChanged(TypeUrls.Authorization));

        // A change of the policy that keeps its selector does not touch workloads; a new selector does.
        await cluster.Sink.ApplyAsync(Upsert(Policy("istio-system", "all-webs", action: "DENY")), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.GetAuthorization("istio-system/all-webs")!.Action == Istio.Security.Action.Deny, "action changed");
        await probe.SettleAsync();
        Assert.Empty(probe.TakeChanged());
        probe.Clear();

        await cluster.Sink.ApplyAsync(Upsert(Policy("istio-system", "all-webs", selector: "app: db")), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.Get("Kubernetes//Pod/r1/db")!.Workload.AuthorizationPolicies.Count == 1, "moved to db");
        await probe.SettleAsync();
        Assert.Equal(["Kubernetes//Pod/r1/db", "Kubernetes//Pod/r1/web", "Kubernetes//Pod/r2/web"], probe.TakeChanged());
    }

    [Fact]
    public async Task ApplyAsync_MeshStrictPeerAuthentication_EveryWorkloadListsStaticPolicyUntilDeleted()
    {
        using var probe = new HubProbe(cluster.Hub(0));
        await cluster.Sink.ApplyAsync(Upsert(Join(Pod("s1", "a", "10.11.3.1"), Pod("s2", "b", "10.11.4.1"))), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.Get("Kubernetes//Pod/s2/b") is not null, "loaded");

        await cluster.Sink.ApplyAsync(Upsert(PeerAuthentication("istio-system", "default", "STRICT")), CancellationToken.None);
        await probe.WaitUntilAsync(
            p => p.GetAuthorization("istio-system/istio_converted_static_strict") is not null &&
                 p.Get("Kubernetes//Pod/s1/a")!.Workload.AuthorizationPolicies.Contains("istio-system/istio_converted_static_strict") &&
                 p.Get("Kubernetes//Pod/s2/b")!.Workload.AuthorizationPolicies.Contains("istio-system/istio_converted_static_strict"),
            "the static policy is published and every workload lists it");

        await cluster.Sink.ApplyAsync(Delete(Kinds.PeerAuthentication, "istio-system", "default"), CancellationToken.None);
        await probe.WaitUntilAsync(
            p => p.GetAuthorization("istio-system/istio_converted_static_strict") is null &&
                 p.Get("Kubernetes//Pod/s2/b")!.Workload.AuthorizationPolicies.Count == 0,
            "static policy gone and unlisted");
    }
}
