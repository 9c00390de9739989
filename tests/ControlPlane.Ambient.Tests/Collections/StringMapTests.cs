using ControlPlane.Ambient.Collections;
using ControlPlane.Ambient.Model;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace ControlPlane.Ambient.Tests.Collections;

public sealed class StringMapTests
{
    private static StringMap Map(params string[] keysAndValues) =>
        new(keysAndValues.Chunk(2).Select(pair => KeyValuePair.Create(pair[0], pair[1])));

    [Fact]
    public void Constructor_UnsortedEntries_EnumeratesInOrdinalKeyOrder()
    {
        var map = Map("b", "2", "a", "1", "B", "3", "a.b/c", "4");

        Assert.Equal(["B", "a", "a.b/c", "b"], map.Select(e => e.Key));
        Assert.Equal(["B", "a", "a.b/c", "b"], map.Keys);
        Assert.Equal(["3", "1", "4", "2"], map.Values);
        Assert.Equal("{B=3, a=1, a.b/c=4, b=2}", map.ToString());
    }

    [Fact]
    public void Constructor_RepeatedEntry_KeepsOne()
    {
        Assert.Single(Map("a", "1", "a", "1"));
    }

    [Fact]
    public void Constructor_ContradictingEntries_Throws()
    {
        Assert.Throws<ArgumentException>(() => Map("a", "1", "a", "2"));
    }

    [Fact]
    public void Default_IsEmptyAndEqualToAnEmptyMap()
    {
        StringMap map = default;

        Assert.Empty(map);
        Assert.Equal(StringMap.Empty, Map());
        Assert.Equal(StringMap.Empty.GetHashCode(), Map().GetHashCode());
        Assert.False(map.ContainsKey("a"));
        Assert.Null(map.Get("a"));
        Assert.Equal("{}", map.ToString());
    }

    [Fact]
    public void TryGetValue_EveryKey_FindsItsValue()
    {
        var keys = Enumerable.Range(0, 37).Select(i => $"k{i}").ToArray();
        var map = new StringMap(keys.Select(k => KeyValuePair.Create(k, k + "v")));

        foreach (var key in keys)
        {
            Assert.True(map.TryGetValue(key, out var value));
            Assert.Equal(key + "v", value);
            Assert.Equal(key + "v", map[key]);
        }
        Assert.False(map.TryGetValue("k", out _));
        Assert.False(map.ContainsKey("zz"));
        Assert.Throws<KeyNotFoundException>(() => map["missing"]);
    }

    [Fact]
    public void Equals_SameEntriesInAnotherOrder_EqualWithEqualHash()
    {
        var left = Map("app", "a", "version", "v1");
        var right = Map("version", "v1", "app", "a");

        Assert.Equal(left, right);
        Assert.True(left == right);
        Assert.Equal(left.GetHashCode(), right.GetHashCode());
        Assert.NotEqual(left, Map("app", "a", "version", "v2"));
        Assert.NotEqual(left, Map("app", "a"));
        Assert.True(Map("app", "a") != Map("app", "b"));
    }

    [Theory]
    [InlineData(new string[0], true)]
    [InlineData(new[] { "app", "a" }, true)]
    [InlineData(new[] { "app", "a", "version", "v1" }, true)]
    [InlineData(new[] { "app", "b" }, false)]
    [InlineData(new[] { "aaa", "x" }, false)]
    [InlineData(new[] { "zzz", "x" }, false)]
    [InlineData(new[] { "app", "a", "other", "x" }, false)]
    public void IsSubsetOf_Selector_MatchesWhenEveryEntryIsInTheLabels(string[] selector, bool expected)
    {
        var labels = Map("app", "a", "pod-template-hash", "h", "version", "v1");

        Assert.Equal(expected, Map(selector).IsSubsetOf(labels));
    }

    [Fact]
    public void IsSubsetOf_EmptyLabels_OnlyEmptySelectorMatches()
    {
        Assert.True(StringMap.Empty.IsSubsetOf(StringMap.Empty));
        Assert.False(Map("app", "a").IsSubsetOf(StringMap.Empty));
    }

    [Fact]
    public void OrleansSerializer_RecordWithMaps_RoundTrips()
    {
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var meta = new ObjectMeta
        {
            Cluster = "c",
            Namespace = "ns",
            Name = "n",
            Labels = Map("version", "v1", "app", "a"),
        };

        var copy = serializer.Deserialize<ObjectMeta>(serializer.SerializeToArray(meta));

        Assert.NotNull(copy);
        Assert.Equal(meta, copy);
        Assert.Equal(["app", "version"], copy.Labels.Keys);
        Assert.Equal(StringMap.Empty, copy.Annotations);
    }

    [Fact]
    public void OrleansCopier_RecordWithMapsAndLists_SharesThemWithTheCopy()
    {
        var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var pod = new Pod
        {
            Meta = new ObjectMeta { Cluster = "c", Namespace = "ns", Name = "n", Labels = Map("app", "a") },
            ContainerPorts = new ValueList<ContainerPort>([new("http", 8080, "TCP")]),
        };

        var copy = services.GetRequiredService<DeepCopier<Pod>>().Copy(pod);

        Assert.Equal(pod, copy);
        Assert.Same(Entries(pod.Meta.Labels), Entries(copy.Meta.Labels));
        Assert.Same(pod.ContainerPorts[0], copy.ContainerPorts[0]);
    }

    private static object? Entries(StringMap map) =>
        typeof(StringMap).GetField("_entries", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(map);
}
