using System.Collections.Concurrent;
using ControlPlane.Ambient.Model;
using ControlPlane.Kubernetes.ConfigDirectory;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ControlPlane.Kubernetes.Tests.ConfigDirectory;

public sealed class ConfigDirectorySourceTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("config-dir-").FullName;
    private readonly Recorder _sink = new();
    private ConfigDirectorySource _source = null!;

    public Task InitializeAsync()
    {
        Write("mesh.yaml", Namespace("shop"), Pod("web", "10.0.0.1"), Pod("db", "10.0.0.2"));
        Write("services.yml", """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec: {clusterIP: 10.96.0.1, selector: {app: web}, ports: [{port: 80}]}
            """);
        Write("nested/external.yaml", """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: api, namespace: shop}
            spec: {hosts: [api.example.com], resolution: DNS, ports: [{number: 443, name: https, protocol: TLS}]}
            """);
        Write("broken.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: [oops\n", Pod("survivor", "10.0.0.3"), """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: ignored, namespace: shop}
            """);
        Write("notes.txt", "not: yaml we read");
        _source = new ConfigDirectorySource(
            Options.Create(new ConfigDirectoryOptions { Path = _directory, DebounceMilliseconds = 50 }),
            new MeshSettings(),
            _sink,
            NullLogger<ConfigDirectorySource>.Instance);
        return _source.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _source.StopAsync(CancellationToken.None);
        _source.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task InitialSync_Directory_DeliversEveryValidObjectAndReportsBadDocumentsByPosition()
    {
        await _source.InitialSync.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(
            ["Namespace//shop", "Pod/shop/db", "Pod/shop/survivor", "Pod/shop/web", "Service/shop/web", "ServiceEntry/shop/api"],
            _sink.TakeUpserts());
        var problem = Assert.Single(_source.Problems);
        Assert.Equal("broken.yaml:1 (document 1)", problem.Position);
        Assert.StartsWith("malformed YAML", problem.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_FilesEditedAddedAndDeleted_BecomeChangesByObjectIdentity()
    {
        await _source.InitialSync.WaitAsync(TimeSpan.FromSeconds(20));
        _sink.Clear();

        // One pod relabelled: only that pod is sent again.
        Write("mesh.yaml", Namespace("shop"), Pod("web", "10.0.0.1", app: "frontend"), Pod("db", "10.0.0.2"));
        await _sink.WaitForAsync(r => r.Upserts.Contains("Pod/shop/web"), "the edited pod");
        Assert.Equal(["Pod/shop/web"], _sink.TakeUpserts());
        Assert.Empty(_sink.TakeDeletes());

        Write("more.yaml", Pod("late", "10.0.0.9"));
        await _sink.WaitForAsync(r => r.Upserts.Contains("Pod/shop/late"), "the added file's pod");
        Assert.Equal(["Pod/shop/late"], _sink.TakeUpserts());

        File.Delete(Path.Combine(_directory, "services.yml"));
        await _sink.WaitForAsync(r => r.Deletes.Contains("Service/shop/web"), "the deleted file's service");
        Assert.Equal(["Service/shop/web"], _sink.TakeDeletes());

        // An object moving between files (copied, then removed from the first) is neither deleted nor re-sent.
        Write("db.yaml", Pod("db", "10.0.0.2"));
        Write("mesh.yaml", Namespace("shop"), Pod("web", "10.0.0.1", app: "frontend"));
        Write("marker.yaml", Pod("marker", "10.0.0.10"));
        await _sink.WaitForAsync(r => r.Upserts.Contains("Pod/shop/marker"), "the marker");
        Assert.Equal(["Pod/shop/marker"], _sink.TakeUpserts());
        Assert.Empty(_sink.TakeDeletes());
    }

    [Fact]
    public async Task Watch_DocumentBroken_KeepsServingItsLastGoodVersion()
    {
        await _source.InitialSync.WaitAsync(TimeSpan.FromSeconds(20));
        _sink.Clear();

        Write("mesh.yaml", Namespace("shop"), "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop\n", Pod("db", "10.0.0.2", app: "db2"));
        await _sink.WaitForAsync(r => r.Upserts.Contains("Pod/shop/db"), "the other document's edit");

        Assert.DoesNotContain("Pod/shop/web", _sink.TakeDeletes());
        Assert.Contains(_source.Problems, p => p.Position == "mesh.yaml:5 (document 2)");
    }

    [Fact]
    public async Task Watch_ObjectDefinedInTwoFiles_LastPathWinsAndTheOtherTakesOverWhenItGoes()
    {
        await _source.InitialSync.WaitAsync(TimeSpan.FromSeconds(20));
        Write("a.yaml", Pod("twin", "10.0.1.1"));
        Write("b.yaml", Pod("twin", "10.0.1.2"));
        await _sink.WaitForAsync(r => (r.Last("Pod/shop/twin") as Pod)?.Ips.SequenceEqual(["10.0.1.2"]) == true, "b.yaml's version");
        _sink.Clear();

        File.Delete(Path.Combine(_directory, "b.yaml"));
        await _sink.WaitForAsync(r => r.Upserts.Contains("Pod/shop/twin"), "a.yaml's version taking over");
        Assert.Equal(["10.0.1.1"], ((Pod)_sink.Last("Pod/shop/twin")!).Ips);
        Assert.Empty(_sink.TakeDeletes());

        File.Delete(Path.Combine(_directory, "a.yaml"));
        await _sink.WaitForAsync(r => r.Deletes.Contains("Pod/shop/twin"), "the pod gone with its last file");
    }

    [Fact]
    public async Task Watch_DirectoryAddedThenRemoved_DeliversThenDeletesItsObjects()
    {
        await _source.InitialSync.WaitAsync(TimeSpan.FromSeconds(20));
        _sink.Clear();

        Write("team/one.yaml", Pod("team-1", "10.0.2.1"));
        Write("team/deeper/two.yaml", Pod("team-2", "10.0.2.2"));
        await _sink.WaitForAsync(r => r.Upserts.Contains("Pod/shop/team-1") && r.Upserts.Contains("Pod/shop/team-2"), "the new directory's pods");
        _sink.Clear();

        Directory.Delete(Path.Combine(_directory, "team"), recursive: true);
        await _sink.WaitForAsync(r => r.Deletes.Contains("Pod/shop/team-1") && r.Deletes.Contains("Pod/shop/team-2"), "the removed directory's pods");
        Assert.Equal(["Pod/shop/team-1", "Pod/shop/team-2"], _sink.TakeDeletes());
        Assert.Empty(_sink.TakeUpserts());
    }

    /// <summary>Writes a file atomically (a temporary file renamed over it), so no read sees it half written.</summary>
    private void Write(string file, params string[] documents)
    {
        var path = Path.Combine(_directory, file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, string.Join("\n---\n", documents) + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    private static string Namespace(string name) => $"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}}}";

    private static string Pod(string name, string ip, string app = "web") => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          namespace: shop
          labels:
            app: {app}
        status:
          phase: Running
          podIP: {ip}
        """;

    /// <summary>Records what the source delivers, as <c>Kind/namespace/name</c>.</summary>
    private sealed class Recorder : IObjectSink
    {
        private readonly ConcurrentQueue<ObjectChange> _changes = new();

        public IReadOnlyList<string> Upserts => [.. _changes.Where(c => c.Object is not null).Select(Name)];

        public IReadOnlyList<string> Deletes => [.. _changes.Where(c => c.Object is null).Select(Name)];

        public Task ApplyAsync(IReadOnlyList<ObjectChange> changes, CancellationToken cancellationToken)
        {
            foreach (var change in changes)
            {
                _changes.Enqueue(change);
            }
            return Task.CompletedTask;
        }

        public void Clear() => _changes.Clear();

        /// <summary>The object last delivered for a name (null when its last change was a delete).</summary>
        public IMeshObject? Last(string name) => _changes.LastOrDefault(c => Name(c) == name)?.Object;

        public List<string> TakeUpserts()
        {
            var upserts = Upserts.Order(StringComparer.Ordinal).ToList();
            var deletes = _changes.Where(c => c.Object is null).ToList();
            _changes.Clear();
            foreach (var delete in deletes)
            {
                _changes.Enqueue(delete);
            }
            return upserts;
        }

        public List<string> TakeDeletes()
        {
            var deletes = Deletes.Order(StringComparer.Ordinal).ToList();
            var upserts = _changes.Where(c => c.Object is not null).ToList();
            _changes.Clear();
            foreach (var upsert in upserts)
            {
                _changes.Enqueue(upsert);
            }
            return deletes;
        }

        public async Task WaitForAsync(Func<Recorder, bool> condition, string what)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!condition(this))
            {
                Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
                await Task.Delay(20);
            }
        }

        private static string Name(ObjectChange change) =>
            change.Key.Namespace.Length == 0 ? $"{change.Key.Kind}//{change.Key.Name}" : $"{change.Key.Kind}/{change.Key.Namespace}/{change.Key.Name}";
    }
}
