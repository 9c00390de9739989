using ControlPlane.Ambient.Model;
using ControlPlane.Kubernetes.Manifests;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Kubernetes.ConfigDirectory;

/// <summary>
/// Serves a directory of Kubernetes manifests as object events: reads every <c>*.yaml</c>/<c>*.yml</c>
/// file, then watches the directory; an edit, add or delete of a file becomes adds, updates and
/// deletes by object identity. Only the files the watcher names are re-read and only the objects they
/// define are compared, so an edit costs the same in a directory of ten objects or of a hundred
/// thousand. Bad documents are reported with their position and skipped; the rest keeps serving.
/// When several files define the same object, the last in path order wins.
/// </summary>
public sealed partial class ConfigDirectorySource : BackgroundService
{
    private readonly ConfigDirectoryOptions _options;
    private readonly MeshSettings _settings;
    private readonly IObjectSink _sink;
    private readonly ILogger<ConfigDirectorySource> _logger;
    private readonly TaskCompletionSource _initialSync = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SortedDictionary<string, FileState> _files = new(StringComparer.Ordinal);

    // Which files define each object (the last in path order wins), and what was delivered for it.
    private readonly Dictionary<ObjectKey, SortedSet<string>> _definers = [];
    private readonly Dictionary<ObjectKey, IMeshObject> _current = [];

    // Paths the watcher reported since the last sync; null = rescan everything (a watcher overflow).
    private readonly Lock _changedGate = new();
    private HashSet<string>? _changed = new(StringComparer.Ordinal);
    private IReadOnlyList<ManifestDocument> _problems = [];

    public ConfigDirectorySource(IOptions<ConfigDirectoryOptions> options, MeshSettings settings, IObjectSink sink, ILogger<ConfigDirectorySource> logger)
    {
        _options = options.Value;
        _settings = settings;
        _sink = sink;
        _logger = logger;
    }

    /// <summary>Completes once the directory's initial content has been delivered.</summary>
    public Task InitialSync => _initialSync.Task;

    /// <summary>Documents skipped at the last read, with the reason.</summary>
    public IReadOnlyList<ManifestDocument> Problems => Volatile.Read(ref _problems);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var root = Path.GetFullPath(_options.Path);
        if (!Directory.Exists(root))
        {
            var error = new DirectoryNotFoundException($"config directory {root} does not exist");
            _initialSync.TrySetException(error);
            throw error;
        }
        var signal = System.Threading.Channels.Channel.CreateBounded<bool>(
            new System.Threading.Channels.BoundedChannelOptions(1) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite });
        using var watcher = new FileSystemWatcher(root)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        void Note(params string[] paths)
        {
            lock (_changedGate)
            {
                _changed?.UnionWith(paths);
            }
            signal.Writer.TryWrite(true);
        }
        watcher.Changed += (_, e) => Note(e.FullPath);
        watcher.Created += (_, e) => Note(e.FullPath);
        watcher.Deleted += (_, e) => Note(e.FullPath);
        watcher.Renamed += (_, e) => Note(e.OldFullPath, e.FullPath);
        watcher.Error += (_, e) =>
        {
            // Events were lost (e.g. the kernel queue overflowed): only a full rescan is safe.
            LogWatchError(e.GetException().Message);
            lock (_changedGate)
            {
                _changed = null;
            }
            signal.Writer.TryWrite(true);
        };
        watcher.EnableRaisingEvents = true;

        try
        {
            TakeChanged();
            await SyncAsync(root, null, stoppingToken).ConfigureAwait(false);
            _initialSync.TrySetResult();
            LogLoaded(root, _current.Count);
            while (await signal.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                // Let a burst of editor writes settle before reading.
                await Task.Delay(_options.DebounceMilliseconds, stoppingToken).ConfigureAwait(false);
                signal.Reader.TryRead(out _);
                await SyncAsync(root, TakeChanged(), stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _initialSync.TrySetCanceled(stoppingToken);
        }
    }

    /// <summary>The paths reported since the last call (null: rescan everything), and starts a new set.</summary>
    private HashSet<string>? TakeChanged()
    {
        lock (_changedGate)
        {
            var changed = _changed;
            _changed = new HashSet<string>(StringComparer.Ordinal);
            return changed;
        }
    }

    /// <summary>
    /// Re-reads what changed under the given paths (everything when null), then delivers the difference
    /// in the objects those files define to the sink.
    /// </summary>
    private async Task SyncAsync(string root, HashSet<string>? changed, CancellationToken cancellationToken)
    {
        var touched = new Dictionary<string, FileState?>(StringComparer.Ordinal);
        // A directory that appeared or moved (files may land before the watch on it does, and mounted
        // ConfigMaps swap whole directories) is rare enough to rescan everything for.
        if (changed is null || changed.Any(Directory.Exists))
        {
            Rescan(root, touched);
        }
        else
        {
            foreach (var path in changed)
            {
                if (File.Exists(path))
                {
                    if (IsManifest(path))
                    {
                        Refresh(root, path, touched);
                    }
                }
                else
                {
                    // Gone: the file, or every file of a directory that is gone.
                    var prefix = path + Path.DirectorySeparatorChar;
                    foreach (var known in _files.Keys)
                    {
                        if (known == path || known.StartsWith(prefix, StringComparison.Ordinal))
                        {
                            touched[known] = null;
                        }
                    }
                }
            }
        }
        if (touched.Count == 0)
        {
            return;
        }

        var affected = new HashSet<ObjectKey>();
        foreach (var (path, state) in touched)
        {
            if (_files.Remove(path, out var before))
            {
                foreach (var key in before.Objects.Keys)
                {
                    affected.Add(key);
                    if (_definers.TryGetValue(key, out var definers) && definers.Remove(path) && definers.Count == 0)
                    {
                        _definers.Remove(key);
                    }
                }
            }
            if (state is null)
            {
                continue;
            }
            _files[path] = state;
            foreach (var key in state.Objects.Keys)
            {
                affected.Add(key);
                if (!_definers.TryGetValue(key, out var definers))
                {
                    definers = new SortedSet<string>(StringComparer.Ordinal);
                    _definers[key] = definers;
                }
                definers.Add(path);
            }
        }
        PublishProblems();

        var changes = new List<ObjectChange>();
        foreach (var key in affected)
        {
            IMeshObject? winner = null;
            if (_definers.TryGetValue(key, out var definers))
            {
                var path = definers.Max!;
                winner = _files[path].Objects[key];
                if (definers.Count > 1)
                {
                    LogDuplicate(key.ToString(), Path.GetRelativePath(root, path));
                }
            }
            _current.TryGetValue(key, out var delivered);
            if (winner is null && delivered is not null)
            {
                _current.Remove(key);
                changes.Add(ObjectChange.Delete(key));
            }
            else if (winner is not null && !winner.Equals(delivered))
            {
                _current[key] = winner;
                changes.Add(new ObjectChange(key, winner));
            }
        }
        if (changes.Count > 0)
        {
            LogChanges(changes.Count);
            await _sink.ApplyAsync(changes, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Notes every manifest that changed, and the known ones that are gone.</summary>
    private void Rescan(string root, Dictionary<string, FileState?> touched)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            if (IsManifest(path))
            {
                seen.Add(path);
                Refresh(root, path, touched);
            }
        }
        foreach (var known in _files.Keys)
        {
            if (!seen.Contains(known))
            {
                touched[known] = null;
            }
        }
    }

    /// <summary>Re-reads a file when its size or write time moved.</summary>
    private void Refresh(string root, string path, Dictionary<string, FileState?> touched)
    {
        var info = new FileInfo(path);
        if (_files.TryGetValue(path, out var known) && known.LastWrite == info.LastWriteTimeUtc && known.Length == info.Length)
        {
            return;
        }
        touched[path] = Read(root, path, info);
    }

    private static bool IsManifest(string path) =>
        path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    /// <summary>Publishes the documents skipped, in path order.</summary>
    private void PublishProblems()
    {
        var problems = new List<ManifestDocument>();
        foreach (var state in _files.Values)
        {
            problems.AddRange(state.Problems);
        }
        Volatile.Write(ref _problems, problems);
    }

    private FileState Read(string root, string path, FileInfo info)
    {
        var relative = Path.GetRelativePath(root, path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException ex)
        {
            // Mid-write or vanished: the watcher fires again once the writer is done.
            LogUnreadable(relative, ex.Message);
            return _files.TryGetValue(path, out var previous) ? previous : new FileState(default, -1, []);
        }
        var documents = ManifestReader.Read(relative, text, _settings.ClusterId).ToList();
        _files.TryGetValue(path, out var previousState);
        for (var i = 0; i < documents.Count; i++)
        {
            var document = documents[i];
            if (document.Error is not null)
            {
                // Keep serving what this document held before it broke (an edit in progress, a typo).
                var lastGood = previousState?.Documents.FirstOrDefault(d => d.Index == document.Index && d.Object is not null);
                LogSkipped(document.Position, document.Error, lastGood is null ? "skipped" : "keeping its last good version");
                documents[i] = document with { Object = lastGood?.Object };
            }
            else if (document.Object is null)
            {
                LogIgnoredKind(document.Position, document.ApiVersionKind ?? "?");
            }
        }
        return new FileState(info.LastWriteTimeUtc, info.Length, documents);
    }

    private sealed record FileState(DateTime LastWrite, long Length, IReadOnlyList<ManifestDocument> Documents)
    {
        /// <summary>The objects this file defines (a later document of the file wins over an earlier one).</summary>
        public Dictionary<ObjectKey, IMeshObject> Objects { get; } = Index(Documents);

        public IReadOnlyList<ManifestDocument> Problems { get; } = [.. Documents.Where(d => d.Error is not null)];

        private static Dictionary<ObjectKey, IMeshObject> Index(IReadOnlyList<ManifestDocument> documents)
        {
            var objects = new Dictionary<ObjectKey, IMeshObject>();
            foreach (var document in documents)
            {
                if (document.Object is { } obj)
                {
                    objects[ObjectKey.Of(obj)] = obj;
                }
            }
            return objects;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded config directory {Directory}: {Objects} objects")]
    private partial void LogLoaded(string directory, int objects);

    [LoggerMessage(Level = LogLevel.Information, Message = "Config directory changed: {Changes} object changes")]
    private partial void LogChanges(int changes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bad document {Position}: {Error}; {Outcome}")]
    private partial void LogSkipped(string position, string error, string outcome);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ignoring {Position}: kind {ApiVersionKind} is not used")]
    private partial void LogIgnoredKind(string position, string apiVersionKind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Object} is defined more than once; {Position} wins")]
    private partial void LogDuplicate(string @object, string position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read {File} yet: {Reason}")]
    private partial void LogUnreadable(string file, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Config directory watch error: {Reason}")]
    private partial void LogWatchError(string reason);
}
