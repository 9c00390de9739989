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

    // Which files define each object, with each file's version of it; the winner is what was delivered.
    private readonly Dictionary<ObjectKey, Definitions> _definitions = [];

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
            LogLoaded(root, _definitions.Count);
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

        // What each affected object was before (the winner delivered), then the files' new contents.
        var before = new Dictionary<ObjectKey, IMeshObject?>();
        void Note(ObjectKey key) =>
            before.TryAdd(key, _definitions.TryGetValue(key, out var definitions) ? definitions.Object : null);
        foreach (var (path, state) in touched)
        {
            if (_files.Remove(path, out var previous))
            {
                foreach (var obj in previous.Defined)
                {
                    var key = ObjectKey.Of(obj);
                    Note(key);
                    if (_definitions.TryGetValue(key, out var definitions))
                    {
                        if (definitions.Without(path) is { } rest)
                        {
                            _definitions[key] = rest;
                        }
                        else
                        {
                            _definitions.Remove(key);
                        }
                    }
                }
            }
            if (state is null)
            {
                continue;
            }
            _files[path] = state;
            // In document order, so a later document of the file wins over an earlier one.
            foreach (var obj in state.Defined)
            {
                var key = ObjectKey.Of(obj);
                Note(key);
                _definitions[key] = _definitions.TryGetValue(key, out var definitions) ? definitions.With(path, obj) : new Definitions(path, obj, null);
            }
        }
        PublishProblems();

        var changes = new List<ObjectChange>();
        foreach (var (key, delivered) in before)
        {
            if (!_definitions.TryGetValue(key, out var definitions))
            {
                if (delivered is not null)
                {
                    changes.Add(ObjectChange.Delete(key));
                }
                continue;
            }
            if (definitions.Others is not null)
            {
                LogDuplicate(key.ToString(), Path.GetRelativePath(root, definitions.Path));
            }
            if (!definitions.Object.Equals(delivered))
            {
                changes.Add(new ObjectChange(key, definitions.Object));
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
            return _files.TryGetValue(path, out var previous) ? previous : FileState.Unreadable;
        }
        var documents = ManifestReader.Read(relative, text, _settings.ClusterId).ToList();
        _files.TryGetValue(path, out var previousState);
        var objects = new IMeshObject?[documents.Count == 0 ? 0 : documents.Max(d => d.Index)];
        var problems = new List<ManifestDocument>();
        foreach (var document in documents)
        {
            var obj = document.Object;
            if (document.Error is not null)
            {
                // Keep serving what this document held before it broke (an edit in progress, a typo).
                obj = previousState?.ObjectOf(document.Index);
                LogSkipped(document.Position, document.Error, obj is null ? "skipped" : "keeping its last good version");
                problems.Add(document);
            }
            else if (obj is null)
            {
                LogIgnoredKind(document.Position, document.ApiVersionKind ?? "?");
            }
            objects[document.Index - 1] = obj;
        }
        return new FileState(info.LastWriteTimeUtc, info.Length, objects, problems);
    }

    /// <summary>A file as last read: the object of each document (by index from 1; null where none) and the documents skipped.</summary>
    private sealed record FileState(DateTime LastWrite, long Length, IMeshObject?[] Objects, IReadOnlyList<ManifestDocument> Problems)
    {
        public static FileState Unreadable { get; } = new(default, -1, [], []);

        /// <summary>The objects the file defines, in document order.</summary>
        public IEnumerable<IMeshObject> Defined => Objects.OfType<IMeshObject>();

        public IMeshObject? ObjectOf(int index) => index <= Objects.Length ? Objects[index - 1] : null;
    }

    /// <summary>
    /// The files that define one object, each with its version of it. The winner (last path in ordinal order)
    /// is kept apart from the others, which exist only while several files define the same object.
    /// </summary>
    private readonly record struct Definitions(string Path, IMeshObject Object, (string Path, IMeshObject Object)[]? Others)
    {
        /// <summary>These definitions with <paramref name="path"/>'s version set to <paramref name="obj"/>.</summary>
        public Definitions With(string path, IMeshObject obj)
        {
            if (path == Path)
            {
                return this with { Object = obj };
            }
            var others = (Others ?? []).Where(o => o.Path != path).ToList();
            if (string.CompareOrdinal(path, Path) > 0)
            {
                others.Add((Path, Object));
                return new Definitions(path, obj, [.. others]);
            }
            others.Add((path, obj));
            return this with { Others = [.. others] };
        }

        /// <summary>These definitions without <paramref name="path"/>'s; null when it was the only one.</summary>
        public Definitions? Without(string path)
        {
            if (Others is null)
            {
                // The common case: one file defines the object.
                return path == Path ? null : this;
            }
            var others = (Others ?? []).Where(o => o.Path != path).ToList();
            if (path != Path)
            {
                return this with { Others = others.Count == 0 ? null : [.. others] };
            }
            if (others.Count == 0)
            {
                return null;
            }
            var winner = others.MaxBy(o => o.Path, StringComparer.Ordinal);
            others.Remove(winner);
            return new Definitions(winner.Path, winner.Object, others.Count == 0 ? null : [.. others]);
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
