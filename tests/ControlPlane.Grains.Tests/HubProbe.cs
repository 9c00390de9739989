using System.Collections.Concurrent;
using ControlPlane.Xds;
using ControlPlane.Xds.Hub;
using ControlPlane.Xds.Resources;
using Authorization = Istio.Security.Authorization;
using Istio.Workload;

namespace ControlPlane.Grains.Tests;

/// <summary>Watches one silo's hub: waits for conditions on the ambient tables and records changed names.</summary>
public sealed class HubProbe : IDisposable
{
    private readonly XdsHub _hub;
    private readonly ConcurrentQueue<(string TypeUrl, string Name)> _changed = new();

    public HubProbe(XdsHub hub)
    {
        _hub = hub;
        _hub.Committed += OnCommitted;
    }

    public ResourceTable Addresses => _hub.GetTable(TypeUrls.Address);

    public ResourceTable Authorizations => _hub.GetTable(TypeUrls.Authorization);

    /// <summary>Names of <paramref name="typeUrl"/> changed (updated or removed) since the last call for that type.</summary>
    public IReadOnlyList<string> TakeChanged(string typeUrl = TypeUrls.Address)
    {
        var names = new List<string>();
        var others = new List<(string, string)>();
        while (_changed.TryDequeue(out var change))
        {
            if (change.TypeUrl == typeUrl)
            {
                names.Add(change.Name);
            }
            else
            {
                others.Add(change);
            }
        }
        foreach (var other in others)
        {
            _changed.Enqueue(other);
        }
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>Forgets every change recorded so far.</summary>
    public void Clear() => _changed.Clear();

    public Address? Get(string name) =>
        Addresses.TryGet(name, out var resource) ? Address.Parser.ParseFrom(resource.Body) : null;

    public Authorization? GetAuthorization(string name) =>
        Authorizations.TryGet(name, out var resource) ? Authorization.Parser.ParseFrom(resource.Body) : null;

    public async Task WaitUntilAsync(Func<HubProbe, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!condition(this))
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until nothing changes for a short while, so a test sees a whole push.</summary>
    public async Task SettleAsync()
    {
        var version = _hub.Version;
        while (true)
        {
            await Task.Delay(300);
            if (_hub.Version == version)
            {
                return;
            }
            version = _hub.Version;
        }
    }

    private void OnCommitted(PushBatch batch)
    {
        foreach (var change in batch.Changes)
        {
            if (change.Key.Level.Length > 0)
            {
                continue;
            }
            foreach (var name in change.Names)
            {
                _changed.Enqueue((change.Key.TypeUrl, name));
            }
        }
    }

    public void Dispose() => _hub.Committed -= OnCommitted;
}
