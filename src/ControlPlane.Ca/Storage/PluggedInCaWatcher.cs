using System.Security.Cryptography;
using System.Threading.Channels;
using ControlPlane.Ca.Signing;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Ca.Storage;

/// <summary>
/// Reloads a plugged-in CA when its directory changes, as istiod does by default
/// (<c>AUTO_RELOAD_PLUGIN_CERTS</c>): an intermediate renewed by cert-manager, or a new root bundle, is
/// served without a restart. Kubernetes updates a mounted Secret by swapping a symlink, so any event in the
/// directory triggers a reload once the files have settled. Material that is incomplete, unreadable or
/// inconsistent is logged and ignored: the CA in service stays until a good set arrives.
/// </summary>
public sealed partial class PluggedInCaWatcher : IAsyncDisposable
{
    /// <summary>How long the directory must be quiet before it is read (a Secret update writes several files).</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(200);

    private readonly PluggedInCaStore _store;
    private readonly CaProvider _provider;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FileSystemWatcher _watcher;
    private readonly Channel<bool> _events = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    public PluggedInCaWatcher(string directory, PluggedInCaStore store, CaProvider provider, TimeProvider time, ILogger logger)
    {
        _store = store;
        _provider = provider;
        _time = time;
        _logger = logger;
        _watcher = new FileSystemWatcher(directory)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += OnEvent;
        _watcher.Created += OnEvent;
        _watcher.Deleted += OnEvent;
        _watcher.Renamed += OnEvent;
        _watcher.Error += (_, _) => _events.Writer.TryWrite(true);
        _watcher.EnableRaisingEvents = true;
        _loop = Task.Run(() => RunAsync(_stopping.Token));
        LogWatching(directory);
    }

    public async ValueTask DisposeAsync()
    {
        _watcher.Dispose();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Reads the directory and serves its CA if it differs from the one in service.</summary>
    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        CertificateAuthority loaded;
        try
        {
            loaded = new CertificateAuthority(await _store.LoadAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is InvalidOperationException or CryptographicException)
        {
            LogRejected(ex.Message);
            return;
        }
        if (_provider.Current is { } current && current.IsSameAs(loaded))
        {
            loaded.Dispose();
            return;
        }
        _provider.Replace(loaded);
        LogReloaded(loaded.Source, loaded.TrustedRoots.Count, loaded.NotAfter);
    }

    private void OnEvent(object sender, FileSystemEventArgs e) => _events.Writer.TryWrite(true);

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _events.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                // Wait until the directory has been quiet for a moment, then read it once.
                do
                {
                    _events.Reader.TryRead(out _);
                    await Task.Delay(Settle, _time, stoppingToken).ConfigureAwait(false);
                }
                while (_events.Reader.TryPeek(out _));
                await ReloadAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching the plugged-in CA directory {Directory} for changes")]
    private partial void LogWatching(string directory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mesh CA reloaded: {Source}, {Roots} trusted root(s), signing certificate valid until {NotAfter:O}")]
    private partial void LogReloaded(string source, int roots, DateTimeOffset notAfter);

    [LoggerMessage(Level = LogLevel.Error, Message = "The plugged-in CA directory changed but cannot be used ({Reason}); the CA in service is kept")]
    private partial void LogRejected(string reason);
}
