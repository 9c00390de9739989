using static ControlPlane.Grains.Tests.Changes;

namespace ControlPlane.Grains.Tests.Mesh;

public sealed class MeshGrainTests(TwoSiloCluster cluster) : IClassFixture<TwoSiloCluster>
{
    [Fact]
    public async Task ApplyAsync_MeshWideChanges_UpdateExactlyTheAffectedResources()
    {
        using var probe = new HubProbe(cluster.Hub(1));
        await cluster.Sink.ApplyAsync(Upsert(Join(
            Node("node-a", "zone-1"),
            Node("node-b", "zone-2"),
            Service("m1", "web", "10.96.1.1"),
            Pod("m1", "on-a", "10.1.0.1", node: "node-a"),
            Pod("m2", "on-b", "10.1.0.2", node: "node-b"))), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.Get("Kubernetes//Pod/m2/on-b")?.Workload.Locality?.Zone == "zone-2", "loaded with localities");
        await probe.SettleAsync();
        probe.TakeChanged();

        // A node's locality: only the pods on that node.
        await cluster.Sink.ApplyAsync(Upsert(Node("node-a", "zone-3")), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.Get("Kubernetes//Pod/m1/on-a")!.Workload.Locality.Zone == "zone-3", "locality moved");
        await probe.SettleAsync();
        Assert.Equal(["Kubernetes//Pod/m1/on-a"], probe.TakeChanged());

        // The network label of the system namespace: every workload and service address, everywhere.
        await cluster.Sink.ApplyAsync(Upsert(Namespace("istio-system", "{topology.istio.io/network: net-9}")), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.Get("Kubernetes//Pod/m2/on-b")!.Workload.Network == "net-9", "network applied");
        await probe.SettleAsync();
        Assert.Equal(["Kubernetes//Pod/m1/on-a", "Kubernetes//Pod/m2/on-b", "m1/web.m1.svc.cluster.local"], probe.TakeChanged());
        Assert.Equal("net-9", probe.Get("m1/web.m1.svc.cluster.local")!.Service.Addresses.Single().Network);
    }
}
