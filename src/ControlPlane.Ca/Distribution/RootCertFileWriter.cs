using ControlPlane.Ca.Signing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Ca.Distribution;

/// <summary>
/// Outside Kubernetes, writes the mesh roots to the configured file (<c>--root-cert-file</c>) at start,
/// for proxies to trust (ztunnel's <c>CA_ROOT_CA</c>/<c>XDS_ROOT_CA</c>), and again whenever the CA is
/// replaced. The file is replaced whole, never seen half-written.
/// </summary>
public sealed partial class RootCertFileWriter(CaProvider ca, IOptions<CaOptions> options, ILogger<RootCertFileWriter> logger) : BackgroundService
{
    private CertificateAuthority? _written;

    /// <summary>The file is written before the host starts serving.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var path = options.Value.RootCertFile;
        if (path.Length == 0)
        {
            return;
        }
        await WriteCurrentAsync(Path.GetFullPath(path), cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var full = Path.GetFullPath(options.Value.RootCertFile);
        try
        {
            while (true)
            {
                await ca.ReplacedAfter(_written!).WaitAsync(stoppingToken).ConfigureAwait(false);
                try
                {
                    await WriteCurrentAsync(full, stoppingToken).ConfigureAwait(false);
                }
                catch (InvalidOperationException ex)
                {
                    LogFailed(ex.Message);
                    await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Writes <paramref name="text"/> beside <paramref name="path"/>, then moves it in place.</summary>
    public static async Task WriteAsync(string path, string text, CancellationToken cancellationToken)
    {
        if (Path.GetDirectoryName(path) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }
        if (File.Exists(path) && await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false) == text)
        {
            return;
        }
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        await File.WriteAllTextAsync(temp, text, cancellationToken).ConfigureAwait(false);
        File.Move(temp, path, overwrite: true);
    }

    private async Task WriteCurrentAsync(string full, CancellationToken cancellationToken)
    {
        var authority = await ca.GetAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await WriteAsync(full, authority.RootBundlePem, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot write the root certificate to {full}: {ex.Message}", ex);
        }
        _written = authority;
        LogWritten(full);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mesh root certificate written to {Path}")]
    private partial void LogWritten(string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rewriting the mesh root certificate failed: {Reason}; retrying")]
    private partial void LogFailed(string reason);
}
