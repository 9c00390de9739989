using ControlPlane.Ambient.Model;
using ControlPlane.Grains.Namespaces;
using Microsoft.Extensions.DependencyInjection;
using static ControlPlane.Grains.Tests.Changes;

namespace ControlPlane.Grains.Tests.Namespaces;

public sealed class NamespaceGrainTests(TwoSiloCluster cluster) : IClassFixture<TwoSiloCluster>
{
    [Fact]
    public async Task ApplyAsync_PodsAndService_ReachTheHubOfEverySilo()
    {
        await cluster.Sink.ApplyAsync(Upsert(Join(
            Service("t1", "web", "10.96.0.1"),
            Pod("t1", "web-1", "10.0.1.1"),
            Pod("t1", "web-2", "10.0.1.2"))), CancellationToken.None);

        foreach (var silo in new[] { 0, 1 })
        {
            using var probe = new HubProbe(cluster.Hub(silo));
            await probe.WaitUntilAsync(p => p.Get("Kubernetes//Pod/t1/web-2") is not null && p.Get("t1/web.t1.svc.cluster.local") is not null, $"silo {silo} has t1");
            var workload = probe.Get("Kubernetes//Pod/t1/web-1")!.Workload;
            Assert.Equal(8080u, workload.Services["t1/web.t1.svc.cluster.local"].Ports.Single().TargetPort);
        }
    }

    [Fact]
    public async Task ApplyAsync_DeliveryThatActivatesTheGrain_BuildsEachObjectOnce()
    {
        using var probe = new HubProbe(cluster.Hub(0));
        var before = ObjectsBuilt();

        await cluster.Sink.ApplyAsync(Upsert(Join(
            Service("t5", "web", "10.96.0.5"),
            Pod("t5", "a", "10.0.5.1"),
            Pod("t5", "b", "10.0.5.2"))), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.Get("Kubernetes//Pod/t5/b") is not null, "t5 loaded");
        await probe.SettleAsync();

        // The grain seeds from the store, which holds the delivery already; the delivery itself, and the
        // other replica's, find the objects held: three objects and the namespace's static policy, once.
        Assert.Equal(4, ObjectsBuilt() - before);
    }

    [Fact]
    public async Task ApplyAsync_PodLabelChange_PublishesOnlyThatWorkload()
    {
        using var probe = new HubProbe(cluster.Hub(1));
        await cluster.Sink.ApplyAsync(Upsert(Join(
            Service("t2", "web", "10.96.0.2"),
            Pod("t2", "a", "10.0.2.1"),
            Pod("t2", "b", "10.0.2.2"))), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.Get("Kubernetes//Pod/t2/b") is not null, "t2 loaded");
        await probe.SettleAsync();
        probe.TakeChanged();

        await cluster.Sink.ApplyAsync(Upsert(Pod("t2", "a", "10.0.2.1", labels: "app: other")), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.Get("Kubernetes//Pod/t2/a")!.Workload.Services.Count == 0, "pod a left the service");
        await probe.SettleAsync();

        Assert.Equal(["Kubernetes//Pod/t2/a"], probe.TakeChanged());
    }

    [Fact]
    public async Task ApplyAsync_ServiceSelectorChange_RepublishesPodsMovedInOrOut()
    {
        using var probe = new HubProbe(cluster.Hub(0));
        await cluster.Sink.ApplyAsync(Upsert(Join(
            Service("t3", "svc", "10.96.0.3", selector: "app: a"),
            Pod("t3", "pa", "10.0.3.1", labels: "app: a"),
            Pod("t3", "pb", "10.0.3.2", labels: "app: b"),
            Pod("t3", "pc", "10.0.3.3", labels: "app: c"))), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.Get("Kubernetes//Pod/t3/pc") is not null, "t3 loaded");
        await probe.SettleAsync();
        probe.TakeChanged();

        await cluster.Sink.ApplyAsync(Upsert(Service("t3", "svc", "10.96.0.3", selector: "app: b")), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.Get("Kubernetes//Pod/t3/pb")!.Workload.Services.Count == 1, "pb joined");
        await probe.SettleAsync();

        // The Service resource itself does not carry the selector, so its content is unchanged.
        Assert.Equal(["Kubernetes//Pod/t3/pa", "Kubernetes//Pod/t3/pb"], probe.TakeChanged());
        Assert.Empty(probe.Get("Kubernetes//Pod/t3/pa")!.Workload.Services);
    }

    [Fact]
    public async Task ApplyAsync_DeletedPodAndUnchangedObjects_RemoveOneAndPublishNothingElse()
    {
        using var probe = new HubProbe(cluster.Hub(1));
        var objects = Join(Service("t4", "web", "10.96.0.4"), Pod("t4", "a", "10.0.4.1"), Pod("t4", "b", "10.0.4.2"));
        await cluster.Sink.ApplyAsync(Upsert(objects), CancellationToken.None);
        await probe.WaitUntilAsync(p => p.Get("Kubernetes//Pod/t4/b") is not null, "t4 loaded");
        await probe.SettleAsync();
        probe.TakeChanged();

        await cluster.Sink.ApplyAsync([.. Upsert(objects), .. Delete(Kinds.Pod, "t4", "a")], CancellationToken.None);
        await probe.WaitUntilAsync(p => p.Get("Kubernetes//Pod/t4/a") is null, "pod a removed");
        await probe.SettleAsync();

        Assert.Equal(["Kubernetes//Pod/t4/a"], probe.TakeChanged());
        Assert.NotNull(probe.Get("Kubernetes//Pod/t4/b"));
    }

    private long ObjectsBuilt() => new[] { 0, 1 }.Sum(silo => cluster.Services(silo).GetRequiredService<NamespaceBuildMetrics>().ObjectsBuilt);
}
