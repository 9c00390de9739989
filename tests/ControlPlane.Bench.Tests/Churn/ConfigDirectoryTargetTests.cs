using ControlPlane.Bench.Churn;
using ControlPlane.Bench.Mesh;

namespace ControlPlane.Bench.Tests.Churn;

public sealed class ConfigDirectoryTargetTests
{
    [Fact]
    public void Apply_ThenDelete_WritesAndRemovesTheObjectsOwnFile()
    {
        using var scratch = new ScratchDirectory("target-test");
        var directory = scratch.Sub("mesh");
        var target = new ConfigDirectoryTarget(directory, scratch.Sub("staging"));
        var obj = new ChurnObject("pod", "ns-0001", "svc-00-x-y");
        var path = MeshFiles.ChurnFile(directory, obj.Kind, obj.Namespace, obj.Name);

        target.Apply(obj, "first");
        target.Apply(obj, "second");

        Assert.Equal("second", File.ReadAllText(path));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(scratch.Path, "staging")));

        target.Delete(obj);

        Assert.False(File.Exists(path));
    }
}
