using Microsoft.Extensions.Logging;
using Orleans.Utilities;

namespace ControlPlane.Grains.Distribution;

/// <summary>
/// The single fan-out point from grains to silos. Holds the published resources (name → encoded
/// bytes) per table; kept alive because the state only lives in memory. Every publish is numbered, so
/// hubs apply updates in order and notice one they missed.
/// </summary>
[KeepAlive]
public sealed partial class DistributionGrain : Grain, IDistributionGrain
{
    /// <summary>Hubs that stop refreshing their subscription for this long are dropped.</summary>
    public static readonly TimeSpan SubscriptionExpiry = TimeSpan.FromMinutes(2);

    private readonly Dictionary<(string TypeUrl, string Scope), Dictionary<string, byte[]>> _tables = [];
    private readonly ObserverManager<IHubObserver> _hubs;
    private readonly ILogger<DistributionGrain> _logger;
    private readonly Guid _epoch = Guid.NewGuid();
    private long _sequence;

    public DistributionGrain(ILogger<DistributionGrain> logger)
    {
        _logger = logger;
        _hubs = new ObserverManager<IHubObserver>(SubscriptionExpiry, logger);
    }

    public Task PublishAsync(IReadOnlyList<ResourceBatch> batches)
    {
        foreach (var batch in batches)
        {
            var key = (batch.TypeUrl, batch.Scope);
            if (!_tables.TryGetValue(key, out var table))
            {
                table = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                _tables[key] = table;
            }
            foreach (var resource in batch.Updated)
            {
                table[resource.Name] = resource.Body;
            }
            foreach (var name in batch.Removed)
            {
                table.Remove(name);
            }
        }
        var update = new HubUpdate(_epoch, ++_sequence, batches, IsSnapshot: false);
        _hubs.Notify(hub => hub.ApplyAsync(update));
        return Task.CompletedTask;
    }

    public Task<HubPosition> SubscribeAsync(IHubObserver hub, bool sendSnapshot)
    {
        _hubs.Subscribe(hub, hub);
        if (sendSnapshot)
        {
            var snapshot = new List<ResourceBatch>(_tables.Count);
            foreach (var ((typeUrl, scope), table) in _tables)
            {
                var updated = new List<PublishedResource>(table.Count);
                foreach (var (name, body) in table)
                {
                    updated.Add(new PublishedResource(name, body));
                }
                snapshot.Add(new ResourceBatch(typeUrl, scope, updated, []));
            }
            LogSnapshot(snapshot.Sum(b => b.Updated.Count), _sequence);
            hub.ApplyAsync(new HubUpdate(_epoch, _sequence, snapshot, IsSnapshot: true)).Ignore();
        }
        return Task.FromResult(new HubPosition(_epoch, _sequence));
    }

    public Task UnsubscribeAsync(IHubObserver hub)
    {
        _hubs.Unsubscribe(hub);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A hub asked for a snapshot: {Resources} resources as of publish {Sequence}")]
    private partial void LogSnapshot(int resources, long sequence);
}
