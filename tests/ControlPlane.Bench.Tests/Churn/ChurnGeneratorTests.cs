using ControlPlane.Bench.Churn;
using ControlPlane.Bench.Mesh;

namespace ControlPlane.Bench.Tests.Churn;

public sealed class ChurnGeneratorTests
{
    private readonly MeshGenerator _mesh = new(MeshShape.ForPods(1_000, churnEvery: 10));

    [Fact]
    public void UpdatePod_ChurnablePod_WritesItsFileWithTheMarker()
    {
        var target = new RecordingTarget();
        var churn = new ChurnGenerator(_mesh, target, new PropagationTracker(1));

        var change = churn.UpdatePod();

        var (obj, yaml) = Assert.Single(target.Applied);
        Assert.Equal("pod", obj.Kind);
        Assert.True(_mesh.Shape.IsChurnable(Enumerable.Range(0, _mesh.Shape.Pods).Single(i => _mesh.Pod(i).Name == obj.Name)));
        Assert.Contains($"{ChangeMarker.RevisionLabel}: {ChangeMarker.Revision(change.Marker)}", yaml, StringComparison.Ordinal);
        Assert.Equal($"Kubernetes//Pod/{obj.Namespace}/{obj.Name}", change.ResourceName);
        Assert.NotEqual(0, change.WrittenAt);
    }

    [Fact]
    public void Step_DeletesOnlyPodsEveryClientHolds()
    {
        var target = new RecordingTarget();
        var tracker = new PropagationTracker(1);
        var churn = new ChurnGenerator(_mesh, target, tracker, new ChurnMix(PodUpdates: 0, PodCreates: 1, PodDeletes: 1, ServiceUpdates: 0), seed: 3);

        var changes = Enumerable.Range(0, 50).Select(_ => churn.Step()).ToList();

        Assert.Empty(target.Deleted);
        Assert.DoesNotContain(changes, c => c.Kind == ChurnKinds.PodDelete);

        var created = changes.First(c => c.Kind == ChurnKinds.PodCreate);
        tracker.ObserveUpdate(0, created.ResourceName, created.Marker, 1);
        var next = Enumerable.Range(0, 20).Select(_ => churn.Step()).First(c => c.Kind == ChurnKinds.PodDelete);

        Assert.Equal(created.ResourceName, next.ResourceName);
        Assert.True(next.Removal);
        Assert.Single(target.Deleted);
    }

    [Fact]
    public void UpdateService_WritesTheMarkerAsTargetPort()
    {
        var target = new RecordingTarget();
        var churn = new ChurnGenerator(_mesh, target, new PropagationTracker(1));

        var change = churn.UpdateService();

        var (obj, yaml) = Assert.Single(target.Applied);
        Assert.Equal("service", obj.Kind);
        Assert.Contains($"targetPort: {ChangeMarker.TargetPort(change.Marker)}", yaml, StringComparison.Ordinal);
        Assert.Equal($"{obj.Namespace}/{obj.Name}.{obj.Namespace}.svc.cluster.local", change.ResourceName);
    }

    [Fact]
    public void UpdatePolicy_WritesTheMarkerAsAnAllowedPort()
    {
        var target = new RecordingTarget();
        var churn = new ChurnGenerator(_mesh, target, new PropagationTracker(1));

        var change = churn.UpdatePolicy();

        var (obj, yaml) = Assert.Single(target.Applied);
        Assert.Equal("policy", obj.Kind);
        Assert.Contains($"\"{ChangeMarker.TargetPort(change.Marker)}\"", yaml, StringComparison.Ordinal);
        Assert.Equal($"{obj.Namespace}/{obj.Name}", change.ResourceName);
        Assert.Equal(ChurnKinds.PolicyUpdate, change.Kind);
    }

    [Fact]
    public async Task RunAsync_ShortRun_MakesRateTimesDuration()
    {
        var target = new RecordingTarget();
        var churn = new ChurnGenerator(_mesh, target, new PropagationTracker(1));

        var run = await churn.RunAsync(200, TimeSpan.FromMilliseconds(100), CancellationToken.None);

        Assert.Equal(20, run.Changes);
        Assert.Equal(20, target.Applied.Count + target.Deleted.Count);
        Assert.Equal(20, churn.Counts.Values.Sum());
    }

    [Fact]
    public void Markers_AreIncreasingSequenceNumbers()
    {
        var churn = new ChurnGenerator(_mesh, new RecordingTarget(), new PropagationTracker(1));

        var markers = Enumerable.Range(0, 30).Select(_ => churn.Step().Marker).ToList();

        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), markers);
    }

    private sealed class RecordingTarget : IChurnTarget
    {
        public List<(ChurnObject Object, string Yaml)> Applied { get; } = [];

        public List<ChurnObject> Deleted { get; } = [];

        public string Name => "recording";

        public void Apply(ChurnObject obj, string yaml) => Applied.Add((obj, yaml));

        public void Delete(ChurnObject obj) => Deleted.Add(obj);
    }
}
