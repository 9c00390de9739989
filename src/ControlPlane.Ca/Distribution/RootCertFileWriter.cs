using ControlPlane.Ca.Signing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Ca.Distribution;

/// <summary>
/// Outside Kubernetes, writes the mesh roots to the configured file (<c>--root-cert-file</c>) at start,
/// for proxies to trust (ztunnel's <c>CA_ROOT_CA</c>/<c>XDS_ROOT_CA</c>). The file is replaced whole,
/// never seen half-written.
/// </summary>
public sealed partial class RootCertFileWriter(CaProvider ca, IOptions<CaOptions> options, ILogger<RootCertFileWriter> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var path = options.Value.RootCertFile;
        if (path.Length == 0)
        {
            return;
        }
        var authority = await ca.GetAsync(cancellationToken).ConfigureAwait(false);
        var full = Path.GetFullPath(path);
        try
        {
            await WriteAsync(full, authority.RootBundlePem, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot write the root certificate to {full}: {ex.Message}", ex);
        }
        LogWritten(full);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Mesh root certificate written to {Path}")]
    private partial void LogWritten(string path);
}
