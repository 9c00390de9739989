using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Xds.Server;

/// <summary>
/// Ends every ADS stream in shutdown's first phase (before any hosted service, Kestrel included, stops),
/// waits until all have finished, then gives clients <see cref="XdsOptions.ShutdownGraceMilliseconds"/>
/// to read their final status: each stream closes with OK before connections are torn down, so proxies
/// reconnect at once (to another replica) rather than seeing a broken connection.
/// </summary>
internal sealed partial class StreamDrain(ConnectionRegistry registry, IOptions<XdsOptions> options, ILogger<StreamDrain> logger)
    : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var open = registry.Count;
        if (open > 0)
        {
            LogDraining(open);
        }
        try
        {
            await registry.DrainAsync(cancellationToken).ConfigureAwait(false);
            if (open > 0)
            {
                // Kestrel closes a connection as soon as its last stream is done; clients that have not yet
                // read the final status would see a reset instead.
                await Task.Delay(options.Value.ShutdownGraceMilliseconds, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogDrainTimedOut(registry.Count);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: ending {Streams} xDS streams")]
    private partial void LogDraining(int streams);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutting down: {Streams} xDS streams still open when the shutdown timeout ran out")]
    private partial void LogDrainTimedOut(int streams);
}
