using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using ControlPlane.Kubernetes.Informers;
using k8s;

namespace ControlPlane.Kubernetes.Api;

/// <summary>
/// One cluster's API connection: a KubernetesClient (<see cref="Kubernetes"/>, for typed calls) and raw
/// list/watch on its HTTP layer, which informers use because custom resources have no typed models and
/// informers need the watch stream's bookmarks, ERROR events and resourceVersions as they are.
/// </summary>
public sealed class KubeApiClient : IDisposable
{
    private const int MaxErrorBody = 64 * 1024;
    private readonly k8s.Kubernetes _client;
    private readonly string? _tlsServerName;
    private readonly TimeSpan _requestTimeout;

    public KubeApiClient(KubernetesClientConfiguration config, TimeSpan requestTimeout)
    {
        // A black-holed server must fail a connect, not hang an informer forever.
        var setup = config.FirstMessageHandlerSetup;
        config.FirstMessageHandlerSetup = handler =>
        {
            setup?.Invoke(handler);
            handler.ConnectTimeout = requestTimeout;
        };
        _client = new k8s.Kubernetes(config);
        _tlsServerName = string.IsNullOrWhiteSpace(config.TlsServerName) ? null : config.TlsServerName;
        _requestTimeout = requestTimeout;
    }

    /// <summary>The typed client of this cluster (same credentials and TLS settings).</summary>
    public IKubernetes Kubernetes => _client;

    /// <summary>The API server's address.</summary>
    public Uri Server => _client.BaseUri;

    /// <summary>
    /// Lists a collection with the resourceVersion to watch from, in pages of <paramref name="pageSize"/>
    /// (<c>limit</c>/<c>continue</c>, as client-go's reflector does, so a large cluster's list never has to
    /// fit one response; 0 = one request). When a continue token expires before the last page (410), the
    /// list is taken again in one request, as client-go falls back.
    /// </summary>
    public async Task<KubeList> ListAsync(KubeResource resource, string? ns, int pageSize, CancellationToken cancellationToken)
    {
        var items = new List<KubeObject>();
        string? version = null;
        string? next = null;
        do
        {
            ListPage page;
            try
            {
                page = await ListPageAsync(resource, ns, pageSize, next, cancellationToken).ConfigureAwait(false);
            }
            catch (KubeApiException ex) when (ex.IsExpired && next is not null)
            {
                items.Clear();
                version = null;
                page = await ListPageAsync(resource, ns, 0, null, cancellationToken).ConfigureAwait(false);
            }
            items.AddRange(page.Items);
            version ??= page.ResourceVersion;
            next = page.Continue;
        }
        while (next is not null);
        return new KubeList(items, version);
    }

    private async Task<ListPage> ListPageAsync(KubeResource resource, string? ns, int limit, string? continueToken, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_requestTimeout);
        using var response = await SendAsync(Uri(resource, ns, watch: false, null, 0, limit, continueToken), timeout.Token).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: timeout.Token).ConfigureAwait(false);
        var root = document.RootElement;
        var meta = root.TryGetProperty("metadata", out var m) ? m : default;
        var version = meta.ValueKind == JsonValueKind.Object ? String(meta, "resourceVersion") : null;
        if (string.IsNullOrEmpty(version))
        {
            throw new FormatException($"the {resource} list has no metadata.resourceVersion");
        }
        var items = new List<KubeObject>();
        if (root.TryGetProperty("items", out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in array.EnumerateArray())
            {
                items.Add(ToObject(item));
            }
        }
        var next = String(meta, "continue");
        return new ListPage(items, version, limit > 0 && !string.IsNullOrEmpty(next) ? next : null);
    }

    /// <summary>
    /// Opens a watch from <paramref name="resourceVersion"/> with bookmarks. Returns once the server
    /// accepted it (200); events are then read from the stream.
    /// </summary>
    public async Task<WatchStream> WatchAsync(KubeResource resource, string? ns, string resourceVersion, int timeoutSeconds, CancellationToken cancellationToken)
    {
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connect.CancelAfter(_requestTimeout);
        var response = await SendAsync(Uri(resource, ns, watch: true, resourceVersion, timeoutSeconds), connect.Token).ConfigureAwait(false);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new WatchStream(response, new StreamReader(stream, Encoding.UTF8));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>Parses one line of a watch stream.</summary>
    public static WatchEvent ParseEvent(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var type = String(root, "type") ?? throw new FormatException("watch event without a type");
        if (!root.TryGetProperty("object", out var obj) || obj.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{type} watch event without an object");
        }
        return type switch
        {
            "ADDED" => new WatchEvent(WatchEventType.Added, ToObject(obj), null, null),
            "MODIFIED" => new WatchEvent(WatchEventType.Modified, ToObject(obj), null, null),
            "DELETED" => new WatchEvent(WatchEventType.Deleted, ToObject(obj), null, null),
            "BOOKMARK" => new WatchEvent(WatchEventType.Bookmark, null,
                obj.TryGetProperty("metadata", out var meta) ? String(meta, "resourceVersion") : throw new FormatException("BOOKMARK without metadata"), null),
            "ERROR" => new WatchEvent(WatchEventType.Error, null, null, ToException(obj, 500)),
            _ => throw new FormatException($"unknown watch event type {type}"),
        };
    }

    private Uri Uri(KubeResource resource, string? ns, bool watch, string? resourceVersion, int timeoutSeconds, int limit = 0, string? continueToken = null)
    {
        var query = new StringBuilder();
        if (resource.LabelSelector is { } selector)
        {
            query.Append("labelSelector=").Append(System.Uri.EscapeDataString(selector)).Append('&');
        }
        if (limit > 0)
        {
            query.Append("limit=").Append(limit.ToString(CultureInfo.InvariantCulture)).Append('&');
        }
        if (continueToken is not null)
        {
            query.Append("continue=").Append(System.Uri.EscapeDataString(continueToken)).Append('&');
        }
        if (watch)
        {
            query.Append("watch=true&allowWatchBookmarks=true&resourceVersion=").Append(System.Uri.EscapeDataString(resourceVersion!))
                .Append("&timeoutSeconds=").Append(timeoutSeconds.ToString(CultureInfo.InvariantCulture)).Append('&');
        }
        var path = resource.CollectionPath(ns);
        return new Uri(_client.BaseUri, query.Length == 0 ? path : $"{path}?{query.ToString(0, query.Length - 1)}");
    }

    private sealed record ListPage(List<KubeObject> Items, string ResourceVersion, string? Continue);

    private async Task<HttpResponseMessage> SendAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri) { Version = HttpVersion.Version20 };
        request.Headers.Accept.ParseAdd("application/json");
        if (_tlsServerName is not null)
        {
            request.Headers.Host = _tlsServerName;
        }
        if (_client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }
        var response = await _client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            throw await ErrorAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<KubeApiException> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var code = (int)response.StatusCode;
        var buffer = new byte[MaxErrorBody];
        var length = 0;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }
            using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
            return ToException(document.RootElement, code);
        }
        catch (Exception ex) when (ex is JsonException or IOException or HttpRequestException)
        {
            // Not a Status object (a proxy's error page, a cut connection): the code says enough.
            return new KubeApiException(code, response.ReasonPhrase ?? response.StatusCode.ToString(), $"the API server answered {code}");
        }
    }

    private static KubeApiException ToException(JsonElement status, int fallbackCode)
    {
        var code = status.TryGetProperty("code", out var c) && c.TryGetInt32(out var parsed) ? parsed : fallbackCode;
        return new KubeApiException(code, String(status, "reason") ?? "Unknown", String(status, "message") ?? "no message");
    }

    private static KubeObject ToObject(JsonElement obj)
    {
        if (!obj.TryGetProperty("metadata", out var meta) || meta.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("an object without metadata");
        }
        var name = String(meta, "name");
        if (string.IsNullOrEmpty(name))
        {
            throw new FormatException("an object without metadata.name");
        }
        return new KubeObject(String(meta, "namespace") ?? string.Empty, name, String(meta, "resourceVersion") ?? string.Empty, obj.GetRawText());
    }

    private static string? String(JsonElement obj, string property) =>
        obj.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
