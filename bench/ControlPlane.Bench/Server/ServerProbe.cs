using System.Diagnostics;
using ControlPlane.Ambient.Model;
using ControlPlane.Bench.Churn;
using ControlPlane.Xds;
using ControlPlane.Xds.Hub;
using Istio.Workload;

namespace ControlPlane.Bench.Server;

/// <summary>
/// Watches the server from inside its process without changing it: the sink calls the sources make (via
/// <see cref="ProbingObjectSink"/>), the hub's commits, and, once armed, the stage timestamps of changes
/// carrying a <see cref="ChangeMarker"/>.
/// </summary>
public sealed class ServerProbe
{
    private readonly Lock _gate = new();
    private readonly List<StageEvent> _stages = [];
    private readonly List<(string TypeUrl, int Count, TaskCompletionSource<long> Reached)> _waiters = [];
    private readonly MeshSettings _settings;
    private readonly XdsHub _hub;
    private long _calls;
    private long _changes;
    private long _firstAt;
    private long _lastEndedAt;
    private long _busyTicks;
    private long _active;
    private volatile bool _armed;

    public ServerProbe(MeshSettings settings, XdsHub hub)
    {
        _settings = settings;
        _hub = hub;
        hub.Committed += OnCommitted;
    }

    public void Arm() => _armed = true;

    public void ResetSink()
    {
        lock (_gate)
        {
            _calls = 0;
            _changes = 0;
            _firstAt = 0;
            _lastEndedAt = 0;
            _busyTicks = 0;
        }
    }

    public SinkStats Sink
    {
        get
        {
            lock (_gate)
            {
                return new SinkStats(_calls, _changes, _firstAt, _lastEndedAt, _busyTicks * 1000d / Stopwatch.Frequency, _active);
            }
        }
    }

    public IReadOnlyList<StageEvent> StageEvents
    {
        get
        {
            lock (_gate)
            {
                return [.. _stages];
            }
        }
    }

    /// <summary>Completes with the commit timestamp at which the table first holds <paramref name="count"/> resources.</summary>
    public Task<long> WaitForCountAsync(string typeUrl, int count, CancellationToken cancellationToken)
    {
        var hub = _hub;
        var waiter = (typeUrl, count, new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_gate)
        {
            _waiters.Add(waiter);
        }
        // Already there (no commit will come to tell).
        if (hub.GetTable(typeUrl).Count >= count)
        {
            Release(hub, Stopwatch.GetTimestamp());
        }
        return waiter.Item3.Task.WaitAsync(cancellationToken);
    }

    internal void SinkStarted(IReadOnlyList<ObjectChange> changes, long at)
    {
        lock (_gate)
        {
            _calls++;
            _active++;
            _changes += changes.Count;
            if (_firstAt == 0)
            {
                _firstAt = at;
            }
        }
        if (_armed)
        {
            RecordSink(changes, Stages.Sink, at);
        }
    }

    internal void SinkEnded(IReadOnlyList<ObjectChange> changes, long started, long ended)
    {
        lock (_gate)
        {
            _lastEndedAt = ended;
            _active--;
            _busyTicks += ended - started;
        }
        if (_armed)
        {
            RecordSink(changes, Stages.Grains, ended);
        }
    }

    private void RecordSink(IReadOnlyList<ObjectChange> changes, string stage, long at)
    {
        List<StageEvent>? events = null;
        foreach (var change in changes)
        {
            var key = change.Key;
            var marker = change.Object is { } obj ? ChangeMarker.Read(obj) : -1;
            if (change.Object is not null && marker < 0)
            {
                continue;
            }
            var name = key.Kind switch
            {
                Kinds.Pod => $"{key.Cluster}//Pod/{key.Namespace}/{key.Name}",
                Kinds.Service => $"{key.Namespace}/{key.Name}.{key.Namespace}.svc.{_settings.DomainSuffix}",
                Kinds.AuthorizationPolicy => $"{key.Namespace}/{key.Name}",
                _ => null,
            };
            if (name is not null)
            {
                (events ??= []).Add(new StageEvent(name, marker, stage, at));
            }
        }
        if (events is not null)
        {
            lock (_gate)
            {
                _stages.AddRange(events);
            }
        }
    }

    private void OnCommitted(PushBatch batch)
    {
        var at = Stopwatch.GetTimestamp();
        var hub = _hub;
        if (_armed)
        {
            List<StageEvent>? events = null;
            foreach (var change in batch.Changes)
            {
                var isAddress = change.Key.TypeUrl == TypeUrls.Address;
                if ((!isAddress && change.Key.TypeUrl != TypeUrls.Authorization) || change.Key.Scope.Length != 0 || change.Key.Level.Length != 0)
                {
                    continue;
                }
                var table = hub.GetTable(change.Key);
                foreach (var name in change.Names)
                {
                    var found = table.TryGet(name, out var resource);
                    var marker = !found ? -1
                        : isAddress ? ChangeMarker.Read(Address.Parser.ParseFrom(resource.Body))
                        : ChangeMarker.Read(Istio.Security.Authorization.Parser.ParseFrom(resource.Body));
                    if (marker >= 0 || !found)
                    {
                        (events ??= []).Add(new StageEvent(name, marker, Stages.Committed, at));
                    }
                }
            }
            if (events is not null)
            {
                lock (_gate)
                {
                    _stages.AddRange(events);
                }
            }
        }
        Release(hub, at);
    }

    private void Release(XdsHub hub, long at)
    {
        List<TaskCompletionSource<long>>? reached = null;
        lock (_gate)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                var (typeUrl, count, waiter) = _waiters[i];
                if (hub.GetTable(typeUrl).Count >= count)
                {
                    (reached ??= []).Add(waiter);
                    _waiters.RemoveAt(i);
                }
            }
        }
        foreach (var waiter in reached ?? [])
        {
            waiter.TrySetResult(at);
        }
    }
}
