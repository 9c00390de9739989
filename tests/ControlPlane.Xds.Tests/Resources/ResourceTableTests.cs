using ControlPlane.Xds.Resources;
using static ControlPlane.Xds.Tests.Server.TestResources;

namespace ControlPlane.Xds.Tests.Resources;

public sealed class ResourceTableTests
{
    [Fact]
    public void Snapshot_IsSharedUntilTheTableChanges()
    {
        var table = new ResourceTable(TableKey.Global(TypeUrls.Address));
        table.Set(Address("a"), revision: 1);
        table.Set(Address("b"), revision: 2);

        var first = table.Snapshot();
        var again = table.Snapshot();
        table.Set(Address("a", "v2"), revision: 3);
        var changed = table.Snapshot();

        Assert.Same(first, again);
        Assert.NotSame(first, changed);
        Assert.Equal(["a", "b"], first.Resources.Select(r => r.Name).Order());
        Assert.Equal(2, first.MaxRevision);
        Assert.Equal(3, changed.MaxRevision);
    }

    [Fact]
    public void Snapshot_CarriesTheSizesAndTheSetFingerprint()
    {
        var table = new ResourceTable(TableKey.Global(TypeUrls.Address));
        XdsResource[] resources = [Address("a"), Address("b", new string('x', 500)), Address("c")];
        foreach (var resource in resources)
        {
            table.Set(resource, revision: 1);
        }

        var snapshot = table.Snapshot();

        Assert.Equal(resources.Sum(r => r.DeltaResourceLength), snapshot.EncodedDeltaBytes);
        Assert.Equal(resources.Sum(r => r.AnyLength), snapshot.EncodedAnyBytes);
        Assert.Equal(resources.Aggregate(0UL, (sum, r) => unchecked(sum + r.Fingerprint)), snapshot.Fingerprint);
    }

    [Fact]
    public void Set_SameVersion_IsNoChange()
    {
        var table = new ResourceTable(TableKey.Global(TypeUrls.Address));

        Assert.True(table.Set(Address("a"), revision: 1));
        Assert.False(table.Set(Address("a"), revision: 2));
        Assert.True(table.Remove("a"));
        Assert.False(table.Remove("a"));
        Assert.Equal(2, table.Generation);
    }
}
