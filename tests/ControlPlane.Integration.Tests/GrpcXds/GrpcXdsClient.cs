using System.Globalization;
using System.Text.Json;
using ControlPlane.Testing.Proxyless;

namespace ControlPlane.Integration.Tests.GrpcXds;

/// <summary>
/// The real proxyless client (integration/grpc-xds/client.js on @grpc/grpc-js-xds) with one channel to
/// <c>xds:///&lt;target&gt;</c> for its whole life, hence one ADS stream to the control plane: tests change
/// the config between batches of RPCs and watch the same client follow.
/// </summary>
public sealed class GrpcXdsClient : IAsyncDisposable
{
    private readonly HarnessProcess _process;
    private readonly string _bootstrapFile;

    private GrpcXdsClient(HarnessProcess process, string bootstrapFile, GrpcXdsBootstrap bootstrap, string target)
    {
        _process = process;
        _bootstrapFile = bootstrapFile;
        Bootstrap = bootstrap;
        Target = target;
    }

    public GrpcXdsBootstrap Bootstrap { get; }

    public string Target { get; }

    /// <summary>The client's recent stderr (grpc-js logs; add GRPC_TRACE=xds_client to the environment for more).</summary>
    public string StderrTail => _process.StderrTail;

    public static async Task<GrpcXdsClient> StartAsync(GrpcXdsBootstrap bootstrap, string target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bootstrap);
        ArgumentException.ThrowIfNullOrEmpty(target);
        var bootstrapFile = Path.Combine(Path.GetTempPath(), $"grpc-xds-bootstrap-{Guid.NewGuid():n}.json");
        await File.WriteAllTextAsync(bootstrapFile, bootstrap.ToJson(), cancellationToken).ConfigureAwait(false);
        HarnessProcess? process = null;
        try
        {
            process = HarnessProcess.Start("client.js", [target], new Dictionary<string, string> { ["GRPC_XDS_BOOTSTRAP"] = bootstrapFile });
            var started = await process.ReadJsonAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            if (!started.TryGetProperty("started", out var name) || name.GetString() != target)
            {
                throw new InvalidOperationException($"client.js did not start for {target}: {started}");
            }
            return new GrpcXdsClient(process, bootstrapFile, bootstrap, target);
        }
        catch
        {
            if (process is not null)
            {
                await process.DisposeAsync().ConfigureAwait(false);
            }
            File.Delete(bootstrapFile);
            throw;
        }
    }

    /// <summary>
    /// Makes <paramref name="count"/> RPCs one after the other; each waits for the channel to be ready for
    /// up to <paramref name="deadline"/> (so the first ones also wait for the xDS config).
    /// </summary>
    public async Task<CallResult> CallAsync(int count, TimeSpan deadline, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var deadlineMs = (long)Math.Ceiling(deadline.TotalMilliseconds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(deadlineMs, nameof(deadline));
        await _process.SendAsync(
            string.Create(CultureInfo.InvariantCulture, $"call {count} {deadlineMs}"), cancellationToken).ConfigureAwait(false);
        var reply = await _process.ReadJsonAsync(deadline * count + TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        if (reply.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"client.js refused the command: {error.GetString()}");
        }
        return new CallResult(reply.GetProperty("calls").GetInt32(), Counts(reply.GetProperty("backends")), Counts(reply.GetProperty("errors")));
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync().ConfigureAwait(false);
        File.Delete(_bootstrapFile);
    }

    private static Dictionary<string, int> Counts(JsonElement counts)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in counts.EnumerateObject())
        {
            result[entry.Name] = entry.Value.GetInt32();
        }
        return result;
    }
}
