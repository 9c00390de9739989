using System.Diagnostics;
using System.Threading.Channels;
using ControlPlane.Xds.Hub;
using ControlPlane.Xds.Proxy;
using ControlPlane.Xds.Resources;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Xds.Server;

/// <summary>
/// One ADS stream. A read loop applies requests to per-type state; a single write loop turns that
/// state into responses, so responses never interleave and a slow client only slows itself. Hub pushes
/// mark names dirty and wake the writer; bursts that arrive while a write is in flight are merged into
/// the next response.
/// </summary>
internal abstract class XdsConnection<TRequest, TResponse, TState> : IPushListener, IXdsConnection
    where TRequest : class
    where TResponse : class
    where TState : TypeState
{
    private readonly Channel<byte> _wake = Channel.CreateBounded<byte>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly XdsServices _services;
    private readonly string _peer;
    private long _nonceCounter;
    // Every state, in push order (clusters before listeners...), so the writer never sorts.
    private readonly List<TState> _ordered = [];
    // Tables whose snapshot the writer prepares before its next round (writer only).
    private readonly List<ResourceTable> _snapshotTables = [];
    private long _pendingPushTimestamp;
    private bool _closing;

    protected XdsConnection(string id, string peer, XdsServices services)
    {
        Id = id;
        _peer = peer;
        _services = services;
    }

    public string Id { get; }

    public abstract string Protocol { get; }

    public ProxyNode? Proxy { get; private set; }

    public DateTimeOffset ConnectedAt { get; } = DateTimeOffset.UtcNow;

    protected Lock Gate { get; } = new();

    protected Dictionary<string, TState> States { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The last hub batch this stream has been told of (guarded by <see cref="Gate"/>). Every table entry
    /// with a later revision will still be announced by <see cref="OnPush"/>.
    /// </summary>
    protected long NotifiedThrough { get; private set; }

    protected ILogger Logger => _services.Logger;

    protected XdsMetrics Metrics => _services.Metrics;

    protected long HubVersion => _services.Hub.Version;

    /// <summary>
    /// Serves the stream until the client ends it, a request is rejected, or <paramref name="stopping"/>
    /// (shutdown) fires. A response being written is finished first, so the client always reads whole
    /// responses and then the final status; only the call going away cuts a write short.
    /// </summary>
    public async Task RunAsync(
        IAsyncStreamReader<TRequest> requests, IServerStreamWriter<TResponse> responses, ServerCallContext call, CancellationToken stopping)
    {
        var aborted = call.CancellationToken;
        using var readStop = CancellationTokenSource.CreateLinkedTokenSource(stopping, aborted);
        using var subscription = _services.Hub.Subscribe(this, out var version);
        lock (Gate)
        {
            // A batch may have been announced between Subscribe and here.
            NotifiedThrough = Math.Max(NotifiedThrough, version);
        }
        _services.Registry.Add(this);
        Metrics.ConnectionOpened(Protocol);
        var writer = WriteLoopAsync(responses, readStop, aborted);
        try
        {
            while (await NextAsync(requests, readStop.Token).ConfigureAwait(false))
            {
                Metrics.RequestReceived();
                var proxy = Proxy ?? await OpenAsync(requests.Current, call, readStop.Token).ConfigureAwait(false);
                if (Handle(requests.Current, proxy))
                {
                    _wake.Writer.TryWrite(0);
                }
            }
        }
        catch (OperationCanceledException) when (readStop.IsCancellationRequested)
        {
        }
        catch (IOException) when (readStop.IsCancellationRequested)
        {
        }
        finally
        {
            Volatile.Write(ref _closing, true);
            _wake.Writer.TryComplete();
            await writer.ConfigureAwait(false);
            _services.Registry.Remove(this);
            Metrics.ConnectionClosed(Protocol);
            Logger.Closed(Id, Proxy?.Id ?? "-");
        }
    }

    /// <summary>
    /// Reads the next request. One the server cannot take (not protobuf, over the size limit) ends the
    /// stream with a clear status and a log line, like any other bad request.
    /// </summary>
    private async Task<bool> NextAsync(IAsyncStreamReader<TRequest> requests, CancellationToken cancellationToken)
    {
        try
        {
            return await requests.MoveNext(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw Reject(StatusCode.InvalidArgument, $"undecodable request: {ex.Message}");
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Reject(ex.StatusCode, $"request refused: {ex.Status.Detail}");
        }
    }

    public void OnPush(PushBatch batch)
    {
        var wake = false;
        lock (Gate)
        {
            NotifiedThrough = batch.Version;
            foreach (var change in batch.Changes)
            {
                foreach (var state in _ordered)
                {
                    if (ReferenceEquals(state.Table, change.Table))
                    {
                        wake |= state.Notify(change);
                    }
                }
            }
            if (wake && _pendingPushTimestamp == 0)
            {
                _pendingPushTimestamp = batch.PublishedAtTimestamp;
            }
        }
        if (wake)
        {
            _wake.Writer.TryWrite(0);
        }
    }

    public IReadOnlyList<TypeSnapshot> SnapshotTypes()
    {
        lock (Gate)
        {
            var result = new List<TypeSnapshot>(_ordered.Count);
            foreach (var state in _ordered)
            {
                result.Add(new TypeSnapshot(
                    state.TypeUrl, state.Table.Key.Scope, state.Wildcard, state.Names.Count, state.LastNonce,
                    state.AckedNonce, state.AckedAt, state.ResponsesSent, state.NackCount, state.LastNack));
            }
            return result;
        }
    }

    /// <summary>Applies one request; returns true when the writer has something to do.</summary>
    private bool Handle(TRequest request, ProxyNode proxy)
    {
        var typeUrl = TypeUrlOf(request);
        if (string.IsNullOrEmpty(typeUrl) || !TypeUrls.IsWellFormed(typeUrl))
        {
            throw Reject(StatusCode.InvalidArgument, $"malformed type_url '{Truncate(typeUrl)}'");
        }
        if (NameCountOf(request) > _services.Options.MaxResourceNamesPerRequest)
        {
            throw Reject(StatusCode.ResourceExhausted,
                $"request for {typeUrl} names {NameCountOf(request)} resources; the limit is {_services.Options.MaxResourceNamesPerRequest}");
        }
        lock (Gate)
        {
            if (!States.TryGetValue(typeUrl, out var state))
            {
                if (States.Count >= _services.Options.MaxTypesPerStream)
                {
                    throw Reject(StatusCode.ResourceExhausted, $"stream subscribes to more than {_services.Options.MaxTypesPerStream} type URLs");
                }
                if (!TypeUrls.Served.Contains(typeUrl))
                {
                    Logger.UnknownType(Id, typeUrl);
                }
                state = CreateState(typeUrl, TableFor(proxy, typeUrl));
                States[typeUrl] = state;
                _ordered.Insert(InsertionIndex(state.PushRank), state);
                Initialize(state, request);
                state.FullResync = true;
                state.MustRespond = true;
                CheckSubscribedNames(state);
                return true;
            }
            var nonce = NonceOf(request);
            switch (state.Classify(nonce, ErrorOf(request)))
            {
                case RequestKind.Stale:
                    Metrics.StaleNonce();
                    Logger.Stale(Id, typeUrl, Truncate(nonce), state.LastNonce ?? "-");
                    return CheckSubscribedNames(state, ApplyStale(state, request));
                case RequestKind.Nack:
                    // A NACK is not answered, but it may carry a new subscription: grpc-js repeats its standing
                    // NACK (same nonce and error) on every request of the type until a response is valid,
                    // including the one that subscribes to a newly routed cluster. Record each rejection once.
                    if (!state.IsRecordedNack(nonce))
                    {
                        var nack = state.RecordNack(nonce, VersionInfoOf(request), ErrorOf(request)!);
                        Metrics.NackReceived();
                        Logger.Nack(Id, proxy.Id, typeUrl, nonce, Truncate(nack.Message));
                    }
                    return CheckSubscribedNames(state, ApplySubscription(state, request));
                case RequestKind.Ack:
                    state.RecordAck(nonce);
                    Metrics.AckReceived();
                    return CheckSubscribedNames(state, ApplySubscription(state, request));
                default:
                    ApplySubscription(state, request);
                    state.MustRespond = true;
                    return CheckSubscribedNames(state);
            }
        }
    }

    /// <summary>
    /// Parses the node of the stream's first request and asks the authorizer whether the stream may be
    /// served to it; nothing is sent before both succeed.
    /// </summary>
    private async Task<ProxyNode> OpenAsync(TRequest request, ServerCallContext call, CancellationToken cancellationToken)
    {
        if (!ProxyNode.TryParse(NodeOf(request), out var proxy, out var error))
        {
            throw Reject(StatusCode.InvalidArgument, error);
        }
        var status = await _services.Authorizer.AuthorizeAsync(proxy, call, cancellationToken).ConfigureAwait(false);
        if (status.StatusCode != StatusCode.OK)
        {
            throw Reject(status.StatusCode, status.Detail, proxy.Id);
        }
        Proxy = proxy;
        Logger.Opened(Id, Protocol, proxy.Id, proxy.Kind, _peer);
        return proxy;
    }

    /// <summary>Ends the stream when its subscription to one type grew past the limit; passes <paramref name="respond"/> through.</summary>
    private bool CheckSubscribedNames(TState state, bool respond = true)
    {
        if (state.Names.Count > _services.Options.MaxSubscribedNamesPerType)
        {
            throw Reject(StatusCode.ResourceExhausted,
                $"stream subscribes to {state.Names.Count} names of {state.TypeUrl}; the limit is {_services.Options.MaxSubscribedNamesPerType}");
        }
        return respond;
    }

    /// <summary>
    /// The hub table serving a type to this proxy. A type nobody publishes gets a detached empty table,
    /// so a client naming made-up type URLs cannot grow the hub.
    /// </summary>
    private ResourceTable TableFor(ProxyNode proxy, string typeUrl)
    {
        var scope = _services.ScopeSelector.SelectScope(proxy, typeUrl);
        if (TypeUrls.Served.Contains(typeUrl))
        {
            return _services.Hub.GetTableFor(proxy, typeUrl, scope);
        }
        var key = new TableKey(typeUrl, scope, _services.Hub.Compatibility.SelectLevel(proxy, typeUrl));
        return _services.Hub.TryGetTable(key, out var table) ? table : new ResourceTable(key);
    }

    /// <summary>Writes responses whenever woken; stops when the stream closes, after the write in flight.</summary>
    private async Task WriteLoopAsync(IServerStreamWriter<TResponse> responses, CancellationTokenSource readStop, CancellationToken aborted)
    {
        var pending = new List<TResponse>();
        try
        {
            while (await _wake.Reader.WaitToReadAsync(aborted).ConfigureAwait(false) && !Volatile.Read(ref _closing))
            {
                _wake.Reader.TryRead(out _);
                PrepareSnapshots();
                long pushTimestamp;
                lock (Gate)
                {
                    pushTimestamp = _pendingPushTimestamp;
                    _pendingPushTimestamp = 0;
                    foreach (var state in _ordered)
                    {
                        if (state.HasWork && Build(state) is { } response)
                        {
                            state.ResponsesSent++;
                            pending.Add(response);
                        }
                    }
                }
                foreach (var response in pending)
                {
                    await responses.WriteAsync(response, aborted).ConfigureAwait(false);
                    Metrics.ResponseSent(ResourceCountOf(response));
                }
                if (pending.Count > 0 && pushTimestamp != 0)
                {
                    Metrics.PushLatency(Stopwatch.GetElapsedTime(pushTimestamp));
                }
                pending.Clear();
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or RpcException)
        {
            // The client went away mid-write; end the read side too.
            Logger.WriteFailed(Id, ex.Message);
            await readStop.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Builds (or finds cached) the table snapshots the next responses will send whole, outside the
    /// stream's lock: copying a large table there would hold up the hub's commit loop in OnPush.
    /// </summary>
    private void PrepareSnapshots()
    {
        lock (Gate)
        {
            foreach (var state in _ordered)
            {
                if (state.HasWork && state.SendsWholeTable)
                {
                    _snapshotTables.Add(state.Table);
                }
            }
        }
        foreach (var table in _snapshotTables)
        {
            table.Snapshot();
        }
        _snapshotTables.Clear();
    }

    private int InsertionIndex(int rank)
    {
        var index = _ordered.Count;
        while (index > 0 && _ordered[index - 1].PushRank > rank)
        {
            index--;
        }
        return index;
    }

    protected string NextNonce() => $"{Id}-{Interlocked.Increment(ref _nonceCounter):x}";

    private RpcException Reject(StatusCode code, string message, string? node = null)
    {
        Metrics.BadRequest();
        Logger.Rejected(Id, node ?? Proxy?.Id ?? "-", code, message);
        return new RpcException(new Grpc.Core.Status(code, message));
    }

    private static string Truncate(string? text) =>
        text is null ? string.Empty : text.Length <= 200 ? text : text[..200] + "…";

    protected abstract TState CreateState(string typeUrl, ResourceTable table);

    /// <summary>Applies the first request for a type.</summary>
    protected abstract void Initialize(TState state, TRequest request);

    /// <summary>Applies subscription changes; returns true when they need a response.</summary>
    protected abstract bool ApplySubscription(TState state, TRequest request);

    /// <summary>
    /// Applies what still counts in a request whose nonce is not the latest (its ACK or NACK does not);
    /// returns true when that needs a response.
    /// </summary>
    protected abstract bool ApplyStale(TState state, TRequest request);

    /// <summary>Builds the response for a state with work, or null when there is nothing to say.</summary>
    protected abstract TResponse? Build(TState state);

    protected abstract string TypeUrlOf(TRequest request);

    protected abstract string NonceOf(TRequest request);

    protected abstract Google.Rpc.Status? ErrorOf(TRequest request);

    protected abstract Envoy.Config.Core.V3.Node? NodeOf(TRequest request);

    protected abstract string VersionInfoOf(TRequest request);

    protected abstract int NameCountOf(TRequest request);

    protected abstract int ResourceCountOf(TResponse response);
}
