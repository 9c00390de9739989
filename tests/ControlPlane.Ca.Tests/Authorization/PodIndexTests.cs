using ControlPlane.Ambient.Model;
using ControlPlane.Ca.Authorization;

namespace ControlPlane.Ca.Tests.Authorization;

public sealed class PodIndexTests
{
    [Fact]
    public async Task ApplyAsync_Pods_AreFoundAndCountedOnTheirNode()
    {
        var index = new PodIndex();

        await Pods.ApplyAsync(index, Pods.Make("shop", "web-1", "node-a", "web", uid: "u1"), Pods.Make("shop", "web-2", "node-a", "web"));

        Assert.Equal(new IndexedPod("u1", "node-a", "web", "Running"), index.Find("Kubernetes", "shop", "web-1"));
        Assert.True(index.RunsOnNode("Kubernetes", "node-a", "shop", "web"));
        Assert.False(index.RunsOnNode("Kubernetes", "node-b", "shop", "web"));
        Assert.False(index.RunsOnNode("other-cluster", "node-a", "shop", "web"));
        Assert.Null(index.Find("Kubernetes", "shop", "web-3"));
    }

    [Fact]
    public async Task ApplyAsync_LastPodOfAnAccountLeavesTheNode_AccountNoLongerRunsThere()
    {
        var index = new PodIndex();
        var first = Pods.Make("shop", "web-1", "node-a", "web");
        var second = Pods.Make("shop", "web-2", "node-a", "web");
        await Pods.ApplyAsync(index, first, second);

        await Pods.DeleteAsync(index, first);
        Assert.True(index.RunsOnNode("Kubernetes", "node-a", "shop", "web"));

        await Pods.ApplyAsync(index, second with { Phase = "Failed" });
        Assert.False(index.RunsOnNode("Kubernetes", "node-a", "shop", "web"));
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public async Task ApplyAsync_PodRescheduled_MovesBetweenNodes()
    {
        var index = new PodIndex();
        var pod = Pods.Make("shop", "web-1", string.Empty, "web");
        await Pods.ApplyAsync(index, pod);
        Assert.False(index.RunsOnNode("Kubernetes", string.Empty, "shop", "web"));

        await Pods.ApplyAsync(index, pod with { NodeName = "node-b" });

        Assert.True(index.RunsOnNode("Kubernetes", "node-b", "shop", "web"));
    }

    [Fact]
    public async Task ApplyAsync_NoServiceAccount_IsTheDefaultAccount()
    {
        var index = new PodIndex();

        await Pods.ApplyAsync(index, Pods.Make("shop", "web-1", "node-a", string.Empty));

        Assert.True(index.RunsOnNode("Kubernetes", "node-a", "shop", "default"));
    }

    [Fact]
    public async Task ApplyAsync_OtherKinds_AreIgnored()
    {
        var index = new PodIndex();

        await index.ApplyAsync([ObjectChange.Upsert(new KubeNamespace { Meta = new ObjectMeta { Cluster = "Kubernetes", Namespace = string.Empty, Name = "shop" } })], CancellationToken.None);

        Assert.Equal(0, index.Count);
    }
}
