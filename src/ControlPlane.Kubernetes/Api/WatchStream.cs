namespace ControlPlane.Kubernetes.Api;

/// <summary>An open watch: newline-delimited JSON events until the server ends the stream.</summary>
public sealed class WatchStream(HttpResponseMessage response, StreamReader reader) : IDisposable
{
    /// <summary>The next event; null when the server ended the stream cleanly.</summary>
    public async Task<WatchEvent?> ReadAsync(CancellationToken cancellationToken)
    {
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                return KubeApiClient.ParseEvent(line);
            }
        }
        return null;
    }

    public void Dispose()
    {
        reader.Dispose();
        response.Dispose();
    }
}
