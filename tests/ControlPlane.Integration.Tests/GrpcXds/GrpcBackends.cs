using System.Net;

namespace ControlPlane.Integration.Tests.GrpcXds;

/// <summary>
/// Real gRPC servers (integration/grpc-xds/backend.js), one per name, each on its own loopback port and
/// answering with its name.
/// </summary>
public sealed class GrpcBackends : IAsyncDisposable
{
    private readonly HarnessProcess _process;
    private readonly Dictionary<string, IPEndPoint> _endpoints;

    private GrpcBackends(HarnessProcess process, Dictionary<string, IPEndPoint> endpoints)
    {
        _process = process;
        _endpoints = endpoints;
    }

    public IReadOnlyCollection<string> Names => _endpoints.Keys;

    public IPEndPoint this[string name] => _endpoints.TryGetValue(name, out var endpoint)
        ? endpoint
        : throw new KeyNotFoundException($"no backend named '{name}'; started: {string.Join(", ", _endpoints.Keys)}");

    public static async Task<GrpcBackends> StartAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var process = HarnessProcess.Start("backend.js", names);
        try
        {
            var started = await process.ReadJsonAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            var endpoints = new Dictionary<string, IPEndPoint>(StringComparer.Ordinal);
            foreach (var entry in started.GetProperty("listening").EnumerateObject())
            {
                endpoints[entry.Name] = new IPEndPoint(IPAddress.Loopback, entry.Value.GetInt32());
            }
            if (endpoints.Count != names.Count)
            {
                throw new InvalidOperationException($"backend.js started {endpoints.Count} backends, not {names.Count}: {started}");
            }
            return new GrpcBackends(process, endpoints);
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
