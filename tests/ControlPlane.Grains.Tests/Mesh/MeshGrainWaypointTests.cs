using ControlPlane.Ambient.Model;
using static ControlPlane.Grains.Tests.Changes;

namespace ControlPlane.Grains.Tests.Mesh;

public sealed class MeshGrainWaypointTests(TwoSiloCluster cluster) : IClassFixture<TwoSiloCluster>
{
    [Fact]
    public async Task ApplyAsync_WaypointBecomesReadyThenGoes_UpdatesExactlyTheBoundResources()
    {
        using var probe = new HubProbe(cluster.Hub(1));
        await cluster.Sink.ApplyAsync(Upsert(Join(
            Namespace("wa", "{istio.io/use-waypoint: wp}"),
            Waypoint("wa", "wp", ready: false),
            Service("wa", "bound-by-namespace", "10.96.7.1"),
            Service("wa", "opted-out", "10.96.7.2", labels: "{istio.io/use-waypoint: none}"),
            Pod("wa", "web", "10.12.1.1"),
            Service("wb", "bound-across", "10.96.7.3", labels: "{istio.io/use-waypoint: wp, istio.io/use-waypoint-namespace: wa}"),
            Service("wb", "unbound", "10.96.7.4"))), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.Get("wb/unbound.wb.svc.cluster.local") is not null && p.Get("Kubernetes//Pod/wa/web") is not null, "loaded");
        await probe.SettleAsync();
        probe.Clear();
        Assert.Null(probe.Get("wa/bound-by-namespace.wa.svc.cluster.local")!.Service.Waypoint);

        await cluster.Sink.ApplyAsync(Upsert(Waypoint("wa", "wp", ready: true)), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.Get("wb/bound-across.wb.svc.cluster.local")!.Service.Waypoint is not null, "bound across namespaces");
        await probe.SettleAsync();

        // Service-only waypoint: the pod is not bound, so it is not republished.
        Assert.Equal(["wa/bound-by-namespace.wa.svc.cluster.local", "wb/bound-across.wb.svc.cluster.local"], probe.TakeChanged());
        Assert.Equal("wp.wa.svc.cluster.local", probe.Get("wa/bound-by-namespace.wa.svc.cluster.local")!.Service.Waypoint.Hostname.Hostname);

        // Serving workloads too binds the pod, and only the pod changes.
        await cluster.Sink.ApplyAsync(Upsert(Waypoint("wa", "wp", ready: true, waypointFor: "all")), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.Get("Kubernetes//Pod/wa/web")!.Workload.Waypoint is not null, "pod bound");
        await probe.SettleAsync();
        Assert.Equal(["Kubernetes//Pod/wa/web"], probe.TakeChanged());

        await cluster.Sink.ApplyAsync(Delete(Kinds.Gateway, "wa", "wp"), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.Get("wb/bound-across.wb.svc.cluster.local")!.Service.Waypoint is null, "unbound");
        await probe.SettleAsync();
        Assert.Equal(["Kubernetes//Pod/wa/web", "wa/bound-by-namespace.wa.svc.cluster.local", "wb/bound-across.wb.svc.cluster.local"], probe.TakeChanged());
    }

    [Fact]
    public async Task ApplyAsync_NamespaceRelabelled_RebindsItsServicesOnly()
    {
        using var probe = new HubProbe(cluster.Hub(0));
        await cluster.Sink.ApplyAsync(Upsert(Join(
            Waypoint("wc", "first", ready: true),
            Waypoint("wc", "second", ready: true),
            Namespace("wc", "{istio.io/use-waypoint: first}"),
            Service("wc", "svc", "10.96.8.1"),
            Pod("wc", "web", "10.12.2.1"),
            Service("wd", "other", "10.96.8.2"))), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.Get("wc/svc.wc.svc.cluster.local")?.Service.Waypoint?.Hostname.Hostname == "first.wc.svc.cluster.local", "bound to first");
        await probe.SettleAsync();
        probe.Clear();

        await cluster.Sink.ApplyAsync(Upsert(Namespace("wc", "{istio.io/use-waypoint: second}")), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.Get("wc/svc.wc.svc.cluster.local")!.Service.Waypoint.Hostname.Hostname == "second.wc.svc.cluster.local", "bound to second");
        await probe.SettleAsync();

        Assert.Equal(["wc/svc.wc.svc.cluster.local"], probe.TakeChanged());
    }
}
