using ControlPlane.Ambient.Collections;
using ControlPlane.Ambient.Model;

namespace ControlPlane.Ambient.Tests.Collections;

public sealed class ValuePoolTests
{
    [Fact]
    public void Intern_EqualRecords_ReturnsTheFirstInstance()
    {
        var pool = new ValuePool<OwnerReference>(64);
        var first = new OwnerReference("ReplicaSet", "svc-1-abc");

        Assert.Same(first, pool.Intern(first));
        Assert.Same(first, pool.Intern(new OwnerReference("ReplicaSet", "svc-1-abc")));
        Assert.NotSame(first, pool.Intern(new OwnerReference("ReplicaSet", "svc-2-abc")));
    }

    [Fact]
    public void Intern_EqualLists_ShareOneList()
    {
        var pool = new ValuePool<ValueList<ContainerPort>>(64);
        var first = pool.Intern(new ValueList<ContainerPort>([new("http", 8080, "TCP")]));
        var second = pool.Intern(new ValueList<ContainerPort>([new("http", 8080, "TCP")]));

        Assert.Same(first[0], second[0]);
    }

    [Fact]
    public void Intern_ManyDistinctValues_KeepsAtMostCapacityAlive()
    {
        var pool = new ValuePool<OwnerReference>(64);

        Assert.InRange(Retention.AliveAfterCollect(10_000, i => pool.Intern(new OwnerReference("ReplicaSet", $"rs-{i}"))), 1, 64);
    }
}
