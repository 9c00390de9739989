using ControlPlane.Ambient.Model;
using ControlPlane.Kubernetes.Manifests;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Kubernetes.ConfigDirectory;

/// <summary>
/// Serves a directory of Kubernetes manifests as object events: reads every <c>*.yaml</c>/<c>*.yml</c>
/// file, then watches the directory; an edit, add or delete of a file becomes adds, updates and
/// deletes by object identity. Bad documents are reported with their position and skipped; the rest
/// keeps serving.
/// </summary>
public sealed partial class ConfigDirectorySource : BackgroundService
{
    private readonly ConfigDirectoryOptions _options;
    private readonly MeshSettings _settings;
    private readonly IObjectSink _sink;
    private readonly ILogger<ConfigDirectorySource> _logger;
    private readonly TaskCompletionSource _initialSync = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, FileState> _files = new(StringComparer.Ordinal);
    private Dictionary<ObjectKey, IMeshObject> _current = [];
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
        FileSystemEventHandler changed = (_, _) => signal.Writer.TryWrite(true);
        watcher.Changed += changed;
        watcher.Created += changed;
        watcher.Deleted += changed;
        watcher.Renamed += (_, _) => signal.Writer.TryWrite(true);
        watcher.Error += (_, e) =>
        {
            LogWatchError(e.GetException().Message);
            signal.Writer.TryWrite(true);
        };
        watcher.EnableRaisingEvents = true;

        try
        {
            await SyncAsync(root, stoppingToken).ConfigureAwait(false);
            _initialSync.TrySetResult();
            LogLoaded(root, _current.Count);
            while (await signal.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                // Let a burst of editor writes settle before reading.
                await Task.Delay(_options.DebounceMilliseconds, stoppingToken).ConfigureAwait(false);
                signal.Reader.TryRead(out _);
                await SyncAsync(root, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _initialSync.TrySetCanceled(stoppingToken);
        }
    }

    /// <summary>Re-reads files that changed, then delivers the difference to the sink.</summary>
    private async Task SyncAsync(string root, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            if (!path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) && !path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            seen.Add(path);
            var info = new FileInfo(path);
            if (_files.TryGetValue(path, out var known) && known.LastWrite == info.LastWriteTimeUtc && known.Length == info.Length)
            {
                continue;
            }
            _files[path] = Read(root, path, info);
        }
        foreach (var gone in _files.Keys.Where(p => !seen.Contains(p)).ToList())
        {
            _files.Remove(gone);
        }

        var next = new Dictionary<ObjectKey, IMeshObject>();
        var problems = new List<ManifestDocument>();
        foreach (var (path, state) in _files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            foreach (var document in state.Documents)
            {
                if (document.Error is not null)
                {
                    problems.Add(document);
                }
                if (document.Object is { } obj)
                {
                    var key = ObjectKey.Of(obj);
                    if (next.ContainsKey(key))
                    {
                        LogDuplicate(key.ToString(), document.Position);
                    }
                    next[key] = obj;
                }
            }
        }
        Volatile.Write(ref _problems, problems);

        var changes = new List<ObjectChange>();
        foreach (var (key, obj) in next)
        {
            if (!_current.TryGetValue(key, out var before) || !before.Equals(obj))
            {
                changes.Add(new ObjectChange(key, obj));
            }
        }
        foreach (var key in _current.Keys)
        {
            if (!next.ContainsKey(key))
            {
                changes.Add(ObjectChange.Delete(key));
            }
        }
        _current = next;
        if (changes.Count > 0)
        {
            LogChanges(changes.Count);
            await _sink.ApplyAsync(changes, cancellationToken).ConfigureAwait(false);
        }
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

    private sealed record FileState(DateTime LastWrite, long Length, IReadOnlyList<ManifestDocument> Documents);

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
