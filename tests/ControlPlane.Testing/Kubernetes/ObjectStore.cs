using System.Globalization;
using System.Text.Json.Nodes;

namespace ControlPlane.Testing.Kubernetes;

/// <summary>
/// The double's etcd: objects per resource, one revision counter for the whole cluster (every write
/// bumps it and stamps the object's <c>metadata.resourceVersion</c>), the event history watches replay
/// from, and the open watches. Everything happens under one lock, so a watch that starts from a
/// revision sees exactly the events after it.
/// </summary>
internal sealed class ObjectStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ApiResource, Dictionary<(string Ns, string Name), JsonObject>> _objects = [];
    private readonly HashSet<ApiResource> _forbidden = [];
    private readonly List<StoredEvent> _history = [];
    private readonly List<Watcher> _watchers = [];
    private long _revision = 1000;
    private long _compacted = 1000;
    private readonly Dictionary<string, (List<JsonObject> Remaining, long Revision)> _pagedLists = new(StringComparer.Ordinal);
    private int _pagedListCount;

    public ObjectStore(IEnumerable<ApiResource> installed)
    {
        foreach (var resource in installed)
        {
            _objects[resource] = [];
        }
    }

    public long Revision
    {
        get
        {
            lock (_gate)
            {
                return _revision;
            }
        }
    }

    public int WatchCount
    {
        get
        {
            lock (_gate)
            {
                return _watchers.Count;
            }
        }
    }

    public ApiResource? Find(string group, string version, string plural)
    {
        lock (_gate)
        {
            return _objects.Keys.FirstOrDefault(r => r.Group == group && r.Version == version && r.Plural == plural);
        }
    }

    public ApiResource? FindKind(string apiVersion, string kind)
    {
        lock (_gate)
        {
            return _objects.Keys.FirstOrDefault(r => r.ApiVersion == apiVersion && r.Kind == kind);
        }
    }

    public void Install(ApiResource resource)
    {
        lock (_gate)
        {
            _objects.TryAdd(resource, []);
        }
    }

    /// <summary>Removes a resource type with its objects (a CRD deleted); its watches end.</summary>
    public void Uninstall(ApiResource resource)
    {
        lock (_gate)
        {
            _objects.Remove(resource);
            foreach (var watcher in _watchers.Where(w => w.Resource == resource).ToList())
            {
                watcher.Close();
                _watchers.Remove(watcher);
            }
        }
    }

    public void SetForbidden(ApiResource resource, bool forbidden)
    {
        lock (_gate)
        {
            if (forbidden)
            {
                _forbidden.Add(resource);
            }
            else
            {
                _forbidden.Remove(resource);
            }
        }
    }

    public void CheckAllowed(ApiResource resource, string verb)
    {
        lock (_gate)
        {
            if (_forbidden.Contains(resource))
            {
                throw new ApiError(403, "Forbidden", $"{resource} is forbidden: User \"system:serviceaccount:istio-system:controlplane\" cannot {verb} resource \"{resource.Plural}\" in API group \"{resource.Group}\"");
            }
        }
    }

    public (List<JsonObject> Items, long Revision) List(ApiResource resource, string? ns, LabelSelector selector)
    {
        lock (_gate)
        {
            var items = Objects(resource).Values
                .Where(o => (ns is null || Namespace(o) == ns) && selector.Matches(o))
                .OrderBy(o => Namespace(o), StringComparer.Ordinal).ThenBy(Name, StringComparer.Ordinal)
                .Select(o => (JsonObject)o.DeepClone())
                .ToList();
            return (items, _revision);
        }
    }

    /// <summary>The first page of a list (everything when <paramref name="limit"/> is 0) and the token for the rest.</summary>
    public (List<JsonObject> Items, long Revision, string? Continue) ListPage(ApiResource resource, string? ns, LabelSelector selector, int limit)
    {
        var (items, revision) = List(resource, ns, selector);
        return Cut(items, revision, limit);
    }

    /// <summary>The next page of a list, from the snapshot its first page was cut from; 410 once compacted.</summary>
    public (List<JsonObject> Items, long Revision, string? Continue) ContinueList(string token, int limit)
    {
        (List<JsonObject> Remaining, long Revision) snapshot;
        lock (_gate)
        {
            if (!_pagedLists.Remove(token, out snapshot))
            {
                throw new ApiError(410, "Expired", "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
            }
        }
        return Cut(snapshot.Remaining, snapshot.Revision, limit);
    }

    private (List<JsonObject> Items, long Revision, string? Continue) Cut(List<JsonObject> items, long revision, int limit)
    {
        if (limit == 0 || items.Count <= limit)
        {
            return (items, revision, null);
        }
        lock (_gate)
        {
            var token = $"{revision}.{++_pagedListCount}";
            _pagedLists[token] = (items[limit..], revision);
            return (items[..limit], revision, token);
        }
    }

    public JsonObject Get(ApiResource resource, string ns, string name)
    {
        lock (_gate)
        {
            return Objects(resource).TryGetValue((ns, name), out var obj) ? (JsonObject)obj.DeepClone() : throw ApiError.NotFound(resource, name);
        }
    }

    public JsonObject? TryGet(ApiResource resource, string ns, string name)
    {
        lock (_gate)
        {
            return Objects(resource).TryGetValue((ns, name), out var obj) ? (JsonObject)obj.DeepClone() : null;
        }
    }

    public JsonObject Create(ApiResource resource, string ns, JsonObject obj)
    {
        lock (_gate)
        {
            var objects = Objects(resource);
            var meta = Meta(obj);
            var name = meta["name"]?.GetValue<string>();
            if (string.IsNullOrEmpty(name))
            {
                var prefix = meta["generateName"]?.GetValue<string>();
                if (string.IsNullOrEmpty(prefix))
                {
                    throw new ApiError(422, "Invalid", $"{resource.Kind} is invalid: metadata.name: Required value: name or generateName is required");
                }
                name = prefix + Guid.NewGuid().ToString("N")[..5];
                meta["name"] = name;
            }
            if (objects.ContainsKey((ns, name)))
            {
                throw new ApiError(409, "AlreadyExists", $"{resource} \"{name}\" already exists");
            }
            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = meta["creationTimestamp"]?.DeepClone() ?? DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            meta["generation"] = 1L;
            return Commit(resource, ns, name, "ADDED", null, obj);
        }
    }

    /// <summary>PUT: replaces an existing object; a stale <c>metadata.resourceVersion</c> is a conflict.</summary>
    public JsonObject Replace(ApiResource resource, string ns, string name, JsonObject obj)
    {
        lock (_gate)
        {
            if (!Objects(resource).TryGetValue((ns, name), out var current))
            {
                throw ApiError.NotFound(resource, name);
            }
            var meta = Meta(obj);
            var bodyName = meta["name"]?.GetValue<string>();
            if (bodyName is not null && bodyName != name)
            {
                throw ApiError.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
            }
            var expected = meta["resourceVersion"]?.GetValue<string>();
            if (!string.IsNullOrEmpty(expected) && expected != ResourceVersion(current))
            {
                throw new ApiError(409, "Conflict", $"Operation cannot be fulfilled on {resource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again");
            }
            return Update(resource, ns, name, current, obj);
        }
    }

    /// <summary>Test API: create or replace, whatever the stored version.</summary>
    public JsonObject Upsert(ApiResource resource, string ns, JsonObject obj)
    {
        lock (_gate)
        {
            var name = Meta(obj)["name"]?.GetValue<string>() ?? throw ApiError.BadRequest("metadata.name is required");
            if (Objects(resource).TryGetValue((ns, name), out var current))
            {
                Meta(obj).Remove("resourceVersion");
                return Update(resource, ns, name, current, obj);
            }
            return Create(resource, ns, obj);
        }
    }

    public JsonObject MergePatch(ApiResource resource, string ns, string name, JsonObject patch)
    {
        lock (_gate)
        {
            if (!Objects(resource).TryGetValue((ns, name), out var current))
            {
                throw ApiError.NotFound(resource, name);
            }
            var merged = (JsonObject)current.DeepClone();
            Merge(merged, patch);
            return Update(resource, ns, name, current, merged);
        }
    }

    public JsonObject Delete(ApiResource resource, string ns, string name)
    {
        lock (_gate)
        {
            var objects = Objects(resource);
            if (!objects.Remove((ns, name), out var current))
            {
                throw ApiError.NotFound(resource, name);
            }
            var last = (JsonObject)current.DeepClone();
            Meta(last)["resourceVersion"] = (++_revision).ToString(CultureInfo.InvariantCulture);
            Publish(new StoredEvent(_revision, resource, "DELETED", current, last));
            return last;
        }
    }

    /// <summary>
    /// Registers a watch. Without a resourceVersion (or "0") it starts with a synthetic ADDED per
    /// existing object; from a revision older than the compacted history it gets a 410 Expired
    /// ERROR event, as the API server sends it.
    /// </summary>
    public Watcher Watch(ApiResource resource, string? ns, LabelSelector selector, string? resourceVersion, bool bookmarks, Action abort)
    {
        var watcher = new Watcher(resource, ns, selector, bookmarks, abort);
        lock (_gate)
        {
            var objects = Objects(resource);
            if (string.IsNullOrEmpty(resourceVersion) || resourceVersion == "0")
            {
                foreach (var obj in objects.Values.Where(o => ns is null || Namespace(o) == ns)
                    .OrderBy(o => Namespace(o), StringComparer.Ordinal).ThenBy(Name, StringComparer.Ordinal))
                {
                    watcher.OfferExisting(obj);
                }
            }
            else
            {
                if (!long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var from))
                {
                    throw ApiError.BadRequest($"invalid resource version \"{resourceVersion}\"");
                }
                if (from < _compacted)
                {
                    watcher.Send("ERROR", ApiError.Status(410, "Expired", $"too old resource version: {from} ({_compacted})"));
                    watcher.Close();
                    return watcher;
                }
                foreach (var e in _history.Where(e => e.Revision > from))
                {
                    watcher.Offer(e);
                }
            }
            _watchers.Add(watcher);
            return watcher;
        }
    }

    public void Unwatch(Watcher watcher)
    {
        lock (_gate)
        {
            _watchers.Remove(watcher);
        }
    }

    /// <summary>Sends a BOOKMARK carrying the current revision to every watch that asked for bookmarks.</summary>
    public void Bookmark()
    {
        lock (_gate)
        {
            foreach (var watcher in _watchers.Where(w => w.Bookmarks))
            {
                watcher.Send("BOOKMARK", new JsonObject
                {
                    ["kind"] = watcher.Resource.Kind,
                    ["apiVersion"] = watcher.Resource.ApiVersion,
                    ["metadata"] = new JsonObject { ["resourceVersion"] = _revision.ToString(CultureInfo.InvariantCulture) },
                });
            }
        }
    }

    /// <summary>Forgets the history: a watch from any revision before now gets 410 Gone.</summary>
    public void Compact()
    {
        lock (_gate)
        {
            _history.Clear();
            _pagedLists.Clear();
            _compacted = _revision;
        }
    }

    public void DropWatches(bool abort)
    {
        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                if (abort)
                {
                    watcher.Abort();
                }
                else
                {
                    watcher.Close();
                }
            }
            _watchers.Clear();
        }
    }

    private JsonObject Update(ApiResource resource, string ns, string name, JsonObject current, JsonObject obj)
    {
        var meta = Meta(obj);
        var currentMeta = Meta(current);
        meta["name"] = name;
        meta["uid"] = currentMeta["uid"]?.DeepClone();
        meta["creationTimestamp"] = currentMeta["creationTimestamp"]?.DeepClone();
        var generation = long.TryParse(currentMeta["generation"]?.ToJsonString(), CultureInfo.InvariantCulture, out var stored) ? stored : 1;
        var specChanged = !JsonNode.DeepEquals(current["spec"], obj["spec"]);
        meta["generation"] = specChanged ? generation + 1 : generation;
        return Commit(resource, ns, name, "MODIFIED", current, obj);
    }

    private JsonObject Commit(ApiResource resource, string ns, string name, string type, JsonObject? old, JsonObject obj)
    {
        obj["apiVersion"] = resource.ApiVersion;
        obj["kind"] = resource.Kind;
        var meta = Meta(obj);
        if (resource.Namespaced)
        {
            meta["namespace"] = ns;
        }
        else
        {
            meta.Remove("namespace");
        }
        meta["resourceVersion"] = (++_revision).ToString(CultureInfo.InvariantCulture);
        var stored = (JsonObject)obj.DeepClone();
        Objects(resource)[(ns, name)] = stored;
        Publish(new StoredEvent(_revision, resource, type, old, stored));
        return (JsonObject)stored.DeepClone();
    }

    private void Publish(StoredEvent e)
    {
        _history.Add(e);
        foreach (var watcher in _watchers)
        {
            watcher.Offer(e);
        }
    }

    private Dictionary<(string Ns, string Name), JsonObject> Objects(ApiResource resource) =>
        _objects.TryGetValue(resource, out var objects) ? objects : throw ApiError.NoResource();

    private static JsonObject Meta(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject meta)
        {
            return meta;
        }
        meta = [];
        obj["metadata"] = meta;
        return meta;
    }

    private static string Namespace(JsonObject obj) => obj["metadata"]?["namespace"]?.GetValue<string>() ?? string.Empty;

    private static string Name(JsonObject obj) => obj["metadata"]?["name"]?.GetValue<string>() ?? string.Empty;

    private static string? ResourceVersion(JsonObject obj) => obj["metadata"]?["resourceVersion"]?.GetValue<string>();

    /// <summary>RFC 7386 JSON merge patch: null deletes, objects merge, everything else replaces.</summary>
    private static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject patchObject && target[key] is JsonObject targetObject)
            {
                Merge(targetObject, patchObject);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }
}
