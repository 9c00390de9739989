using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Testing.Kubernetes;

/// <summary>
/// <b>Test double</b> of a Kubernetes API server (no real one can run here): an in-process HTTP server
/// speaking enough of the API for KubernetesClient and our informers. One instance is one cluster; start
/// several for multicluster tests.
/// <list type="bullet">
/// <item>list and watch per resource (<c>/api/v1/…</c>, <c>/apis/{group}/{version}/…</c>, namespaced and
/// cluster-wide), label selectors, one resourceVersion counter, watch from a version with replay,
/// bookmarks on request (<see cref="SendBookmarks"/>), 410 Expired ERROR events after
/// <see cref="Compact"/>, forced disconnects (<see cref="DropWatches"/>), <c>timeoutSeconds</c>;</item>
/// <item>get, create, update (PUT, with resourceVersion conflicts), merge patch and delete of any served
/// resource (Secrets and ConfigMaps included);</item>
/// <item>TokenReview (<c>POST /apis/authentication.k8s.io/v1/tokenreviews</c>) for tokens registered with
/// <see cref="AddToken"/>, with audience and expiry checks as the API server does them;</item>
/// <item>bearer-token authentication of callers (401), resources that are not installed (404, see
/// <see cref="Install"/>), forbidden resources (403, <see cref="Forbid"/>), an unreachable server
/// (<see cref="Reachable"/>).</item>
/// </list>
/// Lists are paged on request (<c>limit</c>/<c>continue</c>): every page comes from the snapshot the first
/// one was cut from, at its resourceVersion; a continue token from before <see cref="Compact"/> gets 410
/// Expired, as an API server answers one whose snapshot etcd compacted away.
/// Not modelled: RBAC rules, field selectors, set-based label
/// selectors, subresources, strategic merge semantics beyond RFC 7386 — requests using them get 400/404.
/// </summary>
public sealed class KubeApiServerDouble : IAsyncDisposable
{
    /// <summary>Audiences of the API server itself: used when a TokenReview names none.</summary>
    public static readonly IReadOnlyList<string> DefaultAudiences = ["https://kubernetes.default.svc.cluster.local"];

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    private readonly WebApplication _app;
    private readonly ObjectStore _store;
    private readonly ConcurrentDictionary<string, TokenIdentity> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ApiRequest> _requests = new();
    private volatile bool _reachable = true;

    private KubeApiServerDouble(string name, WebApplication app, ObjectStore store, string clientToken)
    {
        Name = name;
        _app = app;
        _store = store;
        ClientToken = clientToken;
    }

    /// <summary>Name of this cluster (used in kubeconfigs).</summary>
    public string Name { get; }

    /// <summary>Base URL, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>The bearer token callers must present.</summary>
    public string ClientToken { get; }

    /// <summary>The current resourceVersion (revision) of the cluster.</summary>
    public long ResourceVersion => _store.Revision;

    /// <summary>Open watch streams.</summary>
    public int OpenWatches => _store.WatchCount;

    /// <summary>Every request served (including refused ones), oldest first.</summary>
    public IReadOnlyList<ApiRequest> Requests => [.. _requests];

    /// <summary>Called before a list request is served, to change the cluster between the pages of a list.</summary>
    public Action<ApiRequest>? BeforeList { get; set; }

    /// <summary>
    /// False: every connection is dropped at once (open watches too), as when the API server cannot be
    /// reached. True again: served normally.
    /// </summary>
    public bool Reachable
    {
        get => _reachable;
        set
        {
            _reachable = value;
            if (!value)
            {
                _store.DropWatches(abort: true);
            }
        }
    }

    /// <summary>Starts a cluster serving the built-in resources, plus the given custom resources (CRDs).</summary>
    public static async Task<KubeApiServerDouble> StartAsync(string name = "test-cluster", IEnumerable<ApiResource>? customResources = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        var store = new ObjectStore([.. ApiResource.BuiltIn, .. customResources ?? []]);
        var token = $"{name}-token-{Guid.NewGuid():N}";
        var server = new KubeApiServerDouble(name, app, store, token);
        app.Run(server.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Url = new Uri(address);
        return server;
    }

    /// <summary>A kubeconfig (YAML) for this cluster; <paramref name="token"/> defaults to <see cref="ClientToken"/>.</summary>
    public string Kubeconfig(string? token = null) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: {Name}
          cluster:
            server: {Url.GetLeftPart(UriPartial.Authority)}
        users:
        - name: {Name}-user
          user:
            token: {token ?? ClientToken}
        contexts:
        - name: {Name}
          context:
            cluster: {Name}
            user: {Name}-user
        current-context: {Name}
        """;

    /// <summary>Writes <see cref="Kubeconfig"/> to a file under <paramref name="directory"/>; returns its path.</summary>
    public string WriteKubeconfig(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{Name}.kubeconfig");
        File.WriteAllText(path, Kubeconfig());
        return path;
    }

    /// <summary>A KubernetesClient for this cluster.</summary>
    public IKubernetes CreateClient() =>
        new k8s.Kubernetes(new KubernetesClientConfiguration { Host = Url.GetLeftPart(UriPartial.Authority), AccessToken = ClientToken });

    /// <summary>Creates or replaces every object of a (multi-document) YAML or JSON text; returns the new resourceVersion.</summary>
    public long Apply(string yaml)
    {
        foreach (var obj in YamlToJson.Documents(yaml))
        {
            var resource = ResourceOf(obj);
            var ns = resource.Namespaced ? obj["metadata"]?["namespace"]?.GetValue<string>() ?? "default" : string.Empty;
            _store.Upsert(resource, ns, obj);
        }
        return _store.Revision;
    }

    /// <summary>Deletes an object; false if it did not exist.</summary>
    public bool Delete(ApiResource resource, string? ns, string name)
    {
        try
        {
            _store.Delete(resource, resource.Namespaced ? ns ?? "default" : string.Empty, name);
            return true;
        }
        catch (ApiError e) when (e.Code == 404)
        {
            return false;
        }
    }

    /// <summary>The stored object, or null.</summary>
    public JsonObject? Get(ApiResource resource, string? ns, string name) =>
        _store.TryGet(resource, resource.Namespaced ? ns ?? "default" : string.Empty, name);

    /// <summary>Serves a resource type from now on (a CRD installed).</summary>
    public void Install(ApiResource resource) => _store.Install(resource);

    /// <summary>Stops serving a resource type and drops its objects (a CRD deleted); its watches end.</summary>
    public void Uninstall(ApiResource resource) => _store.Uninstall(resource);

    /// <summary>Answers 403 Forbidden for a resource (a missing RBAC rule) until called with false.</summary>
    public void Forbid(ApiResource resource, bool forbidden = true) => _store.SetForbidden(resource, forbidden);

    /// <summary>Registers a token TokenReview will authenticate.</summary>
    public void AddToken(string token, TokenIdentity identity) => _tokens[token] = identity;

    /// <summary>Sends a BOOKMARK with the current resourceVersion on every watch that allows bookmarks.</summary>
    public void SendBookmarks() => _store.Bookmark();

    /// <summary>Forgets the event history: watches from any older resourceVersion now get 410 Expired.</summary>
    public void Compact() => _store.Compact();

    /// <summary>Ends every open watch: cleanly (the stream ends) or, with <paramref name="abort"/>, by dropping the connection.</summary>
    public void DropWatches(bool abort = false) => _store.DropWatches(abort);

    public async ValueTask DisposeAsync()
    {
        _store.DropWatches(abort: true);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private ApiResource ResourceOf(JsonObject obj)
    {
        var apiVersion = obj["apiVersion"]?.GetValue<string>() ?? throw new FormatException("apiVersion is required");
        var kind = obj["kind"]?.GetValue<string>() ?? throw new FormatException("kind is required");
        return _store.FindKind(apiVersion, kind) ?? throw new InvalidOperationException($"{apiVersion}/{kind} is not served by cluster {Name} (install it first)");
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (!_reachable)
        {
            context.Abort();
            return;
        }
        var request = context.Request;
        var query = request.QueryString.Value ?? string.Empty;
        try
        {
            if (request.Headers.Authorization.ToString() != $"Bearer {ClientToken}")
            {
                _requests.Enqueue(new ApiRequest("unauthorized", null, null, null, query));
                throw new ApiError(401, "Unauthorized", "Unauthorized");
            }
            var segments = request.Path.Value!.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (segments is ["version"])
            {
                _requests.Enqueue(new ApiRequest("version", null, null, null, query));
                await WriteAsync(context, 200, new JsonObject { ["major"] = "1", ["minor"] = "34", ["gitVersion"] = "v1.34.0-double" }).ConfigureAwait(false);
                return;
            }
            var (group, version, rest) = segments switch
            {
                ["api", var v, .. var r] => ("", v, r),
                ["apis", var g, var v, .. var r] => (g, v, r),
                _ => throw ApiError.NoResource(),
            };
            if (group == "authentication.k8s.io" && version == "v1" && rest is ["tokenreviews"] && HttpMethods.IsPost(request.Method))
            {
                _requests.Enqueue(new ApiRequest("tokenreview", null, null, null, query));
                await TokenReviewAsync(context).ConfigureAwait(false);
                return;
            }
            var (ns, plural, name, sub) = rest switch
            {
                ["namespaces", var n, var p, .. var tail] => (n, p, tail.ElementAtOrDefault(0), tail.Skip(1).ToArray()),
                [var p, .. var tail] => ((string?)null, p, tail.ElementAtOrDefault(0), tail.Skip(1).ToArray()),
                _ => throw ApiError.NoResource(),
            };
            var resource = _store.Find(group, version, plural);
            if (resource is null || sub.Length > 0 || (ns is not null && !resource.Namespaced))
            {
                _requests.Enqueue(new ApiRequest("notfound", resource, ns, name, query));
                throw ApiError.NoResource();
            }
            await ServeResourceAsync(context, resource, ns, name, query).ConfigureAwait(false);
        }
        catch (ApiError e)
        {
            if (!context.Response.HasStarted)
            {
                await WriteAsync(context, e.Code, e.ToStatus()).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            if (!context.Response.HasStarted)
            {
                await WriteAsync(context, 400, ApiError.Status(400, "BadRequest", e.Message)).ConfigureAwait(false);
            }
        }
    }

    private async Task ServeResourceAsync(HttpContext context, ApiResource resource, string? ns, string? name, string query)
    {
        var request = context.Request;
        var scope = resource.Namespaced ? ns : string.Empty;
        var method = request.Method;
        var verb = (method, name) switch
        {
            ("GET", null) => IsTrue(request.Query["watch"]) ? "watch" : "list",
            ("GET", _) => "get",
            ("POST", null) => "create",
            ("PUT", not null) => "update",
            ("PATCH", not null) => "patch",
            ("DELETE", not null) => "delete",
            _ => throw new ApiError(405, "MethodNotAllowed", $"{method} is not supported on this path"),
        };
        var served = new ApiRequest(verb, resource, ns, name, query);
        _requests.Enqueue(served);
        _store.CheckAllowed(resource, verb);
        foreach (var unsupported in new[] { "fieldSelector", "resourceVersionMatch", "sendInitialEvents" })
        {
            if (!string.IsNullOrEmpty(request.Query[unsupported]))
            {
                throw ApiError.BadRequest($"query parameter {unsupported} is not supported by the API server double");
            }
        }
        if (resource.Namespaced && scope is null && verb is not ("list" or "watch"))
        {
            throw ApiError.NoResource();
        }
        switch (verb)
        {
            case "list":
                BeforeList?.Invoke(served);
                await ListAsync(context, resource, scope).ConfigureAwait(false);
                break;
            case "watch":
                await WatchAsync(context, resource, scope).ConfigureAwait(false);
                break;
            case "get":
                await WriteAsync(context, 200, _store.Get(resource, scope!, name!)).ConfigureAwait(false);
                break;
            case "create":
                await WriteAsync(context, 201, _store.Create(resource, scope!, await BodyAsync(context, resource, scope).ConfigureAwait(false))).ConfigureAwait(false);
                break;
            case "update":
                await WriteAsync(context, 200, _store.Replace(resource, scope!, name!, await BodyAsync(context, resource, scope).ConfigureAwait(false))).ConfigureAwait(false);
                break;
            case "patch":
                var contentType = request.ContentType ?? string.Empty;
                if (!contentType.StartsWith("application/merge-patch+json", StringComparison.Ordinal)
                    && !contentType.StartsWith("application/strategic-merge-patch+json", StringComparison.Ordinal))
                {
                    throw new ApiError(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json (got {contentType})");
                }
                var patch = await JsonNode.ParseAsync(request.Body).ConfigureAwait(false) as JsonObject ?? throw ApiError.BadRequest("patch must be a JSON object");
                await WriteAsync(context, 200, _store.MergePatch(resource, scope!, name!, patch)).ConfigureAwait(false);
                break;
            case "delete":
                var deleted = _store.Delete(resource, scope!, name!);
                await WriteAsync(context, 200, new JsonObject
                {
                    ["kind"] = "Status",
                    ["apiVersion"] = "v1",
                    ["metadata"] = new JsonObject(),
                    ["status"] = "Success",
                    ["details"] = new JsonObject { ["name"] = name, ["kind"] = resource.Plural, ["uid"] = deleted["metadata"]?["uid"]?.DeepClone() },
                }).ConfigureAwait(false);
                break;
        }
    }

    private async Task ListAsync(HttpContext context, ApiResource resource, string? ns)
    {
        var selector = LabelSelector.Parse(context.Request.Query["labelSelector"]);
        var requested = context.Request.Query["resourceVersion"].ToString();
        if (long.TryParse(requested, NumberStyles.None, CultureInfo.InvariantCulture, out var minimum) && minimum > _store.Revision)
        {
            throw new ApiError(504, "Timeout", $"Too large resource version: {minimum}, current: {_store.Revision}");
        }
        var limitText = context.Request.Query["limit"].ToString();
        var limit = 0;
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 0))
        {
            throw ApiError.BadRequest($"invalid limit {limitText}");
        }
        var continueToken = context.Request.Query["continue"].ToString();
        var (items, revision, next) = continueToken.Length > 0
            ? _store.ContinueList(continueToken, limit)
            : _store.ListPage(resource, ns, selector, limit);
        var metadata = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) };
        if (next is not null)
        {
            metadata["continue"] = next;
        }
        await WriteAsync(context, 200, new JsonObject
        {
            ["kind"] = resource.Kind + "List",
            ["apiVersion"] = resource.ApiVersion,
            ["metadata"] = metadata,
            ["items"] = new JsonArray([.. items]),
        }).ConfigureAwait(false);
    }

    private async Task WatchAsync(HttpContext context, ApiResource resource, string? ns)
    {
        var query = context.Request.Query;
        var selector = LabelSelector.Parse(query["labelSelector"]);
        var timeout = int.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : Timeout.InfiniteTimeSpan;
        var watcher = _store.Watch(resource, ns, selector, query["resourceVersion"], IsTrue(query["allowWatchBookmarks"]), context.Abort);
        try
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            // Headers go out at once, as the API server sends them before the first event.
            await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            using var expiry = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            expiry.CancelAfter(timeout);
            try
            {
                await foreach (var line in watcher.Lines.ReadAllAsync(expiry.Token).ConfigureAwait(false))
                {
                    await context.Response.WriteAsync(line + "\n", Encoding.UTF8, expiry.Token).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(expiry.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // timeoutSeconds reached (the stream ends cleanly) or the client went away.
            }
        }
        finally
        {
            _store.Unwatch(watcher);
        }
    }

    private async Task TokenReviewAsync(HttpContext context)
    {
        var review = await JsonNode.ParseAsync(context.Request.Body).ConfigureAwait(false) as JsonObject
            ?? throw ApiError.BadRequest("TokenReview must be a JSON object");
        var spec = review["spec"] as JsonObject ?? throw new ApiError(422, "Invalid", "TokenReview.authentication.k8s.io is invalid: spec: Required value");
        var token = spec["token"]?.GetValue<string>();
        if (string.IsNullOrEmpty(token))
        {
            throw new ApiError(422, "Invalid", "TokenReview.authentication.k8s.io is invalid: spec.token: Required value");
        }
        var requested = spec["audiences"] is JsonArray list ? list.Select(a => a!.GetValue<string>()).ToList() : [];
        var wanted = requested.Count > 0 ? requested : [.. DefaultAudiences];
        var status = new JsonObject();
        if (!_tokens.TryGetValue(token, out var identity))
        {
            status["authenticated"] = false;
            status["user"] = new JsonObject();
            status["error"] = "[invalid bearer token, token lookup failed]";
        }
        else if (identity.ExpiresAt is { } expires && expires <= DateTimeOffset.UtcNow)
        {
            status["authenticated"] = false;
            status["user"] = new JsonObject();
            status["error"] = "[invalid bearer token, service account token has expired]";
        }
        else
        {
            var tokenAudiences = identity.Audiences.Count > 0 ? identity.Audiences : DefaultAudiences;
            var matched = wanted.Where(a => tokenAudiences.Contains(a, StringComparer.Ordinal)).ToList();
            if (matched.Count == 0)
            {
                status["authenticated"] = false;
                status["user"] = new JsonObject();
                status["error"] = $"[invalid bearer token, token audiences {JsonSerializer.Serialize(tokenAudiences, Json)} is invalid for the target audiences {JsonSerializer.Serialize(wanted, Json)}]";
            }
            else
            {
                status["authenticated"] = true;
                status["user"] = new JsonObject
                {
                    ["username"] = identity.Username,
                    ["uid"] = identity.Uid,
                    ["groups"] = new JsonArray([.. identity.Groups.Select(g => (JsonNode?)JsonValue.Create(g))]),
                    ["extra"] = new JsonObject(identity.Extra.Select(e =>
                        KeyValuePair.Create(e.Key, (JsonNode?)new JsonArray([.. e.Value.Select(v => (JsonNode?)JsonValue.Create(v))])))),
                };
                status["audiences"] = new JsonArray([.. matched.Select(a => (JsonNode?)JsonValue.Create(a))]);
            }
        }
        review["apiVersion"] = "authentication.k8s.io/v1";
        review["kind"] = "TokenReview";
        review["metadata"] = new JsonObject { ["creationTimestamp"] = null };
        review["status"] = status;
        await WriteAsync(context, 201, review).ConfigureAwait(false);
    }

    private static async Task<JsonObject> BodyAsync(HttpContext context, ApiResource resource, string? ns)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body).ConfigureAwait(false) as JsonObject
            ?? throw ApiError.BadRequest("the body must be a JSON object");
        var kind = body["kind"]?.GetValue<string>();
        if (kind is not null && kind != resource.Kind)
        {
            throw ApiError.BadRequest($"the body is a {kind}, the URL is for {resource.Kind}");
        }
        var bodyNs = body["metadata"]?["namespace"]?.GetValue<string>();
        if (resource.Namespaced && !string.IsNullOrEmpty(bodyNs) && bodyNs != ns)
        {
            throw ApiError.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        return body;
    }

    private static bool IsTrue(string? value) => value is "true" or "1";

    private static async Task WriteAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), Encoding.UTF8).ConfigureAwait(false);
    }
}
