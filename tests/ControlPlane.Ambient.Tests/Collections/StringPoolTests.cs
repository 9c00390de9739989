using ControlPlane.Ambient.Collections;

namespace ControlPlane.Ambient.Tests.Collections;

public sealed class StringPoolTests
{
    [Fact]
    public void Intern_EqualStrings_ReturnsTheFirstInstance()
    {
        var pool = new StringPool(64, 32);
        var first = new string("enabled".AsSpan());
        var second = new string("enabled".AsSpan());

        Assert.Same(first, pool.Intern(first));
        Assert.Same(first, pool.Intern(second));
        Assert.Same(first, pool.Intern("xenabledx".AsSpan(1, 7)));
    }

    [Fact]
    public void Intern_SpanHit_AllocatesNothing()
    {
        var pool = new StringPool(64, 32);
        Span<char> text = stackalloc char[6];
        "v1/Pod".CopyTo(text);
        var pooled = pool.Intern(text);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var again = pool.Intern(text);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Same(pooled, again);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Intern_NullEmptyAndTooLong_AreNotPooled()
    {
        var pool = new StringPool(64, 4);
        var longer = new string('x', 5);

        Assert.Null(pool.Intern((string?)null));
        Assert.Same(string.Empty, pool.Intern(new string([])));
        Assert.Same(longer, pool.Intern(longer));
        Assert.NotSame(longer, pool.Intern(new string('x', 5)));
        Assert.NotSame(pool.Intern("xxxxx".AsSpan()), pool.Intern("xxxxx".AsSpan()));
    }

    [Fact]
    public void Intern_ManyDistinctValues_KeepsAtMostCapacityAlive()
    {
        var pool = new StringPool(64, 32);

        Assert.InRange(Retention.AliveAfterCollect(10_000, i => pool.Intern($"value-{i}")), 1, 64);
    }

    [Fact]
    public void Intern_ConcurrentThreads_ReturnEqualValuesAndSettleOnOneInstance()
    {
        var pool = new StringPool(1024, 32);
        var values = Enumerable.Range(0, 200).Select(i => $"svc-{i}").ToArray();

        Parallel.For(0, 8, _ =>
        {
            for (var round = 0; round < 200; round++)
            {
                foreach (var value in values)
                {
                    var copy = new string(value.AsSpan());
                    Assert.Equal(value, pool.Intern(copy));
                    Assert.Equal(value, pool.Intern(value.AsSpan()));
                }
            }
        });

        var kept = values.Where(value => ReferenceEquals(pool.Intern(new string(value.AsSpan())), pool.Intern(value.AsSpan())));
        Assert.Equal(values.Length, kept.Count());
    }
}
