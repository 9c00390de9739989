using System.Collections.Concurrent;
using ControlPlane.Xds;
using ControlPlane.Xds.Hub;
using ControlPlane.Xds.Resources;
using Istio.Workload;

namespace ControlPlane.Grains.Tests;

/// <summary>Watches one silo's hub: waits for conditions on the Address table and records changed names.</summary>
public sealed class HubProbe : IDisposable
{
    private readonly XdsHub _hub;
    private readonly ConcurrentQueue<string> _changed = new();

    public HubProbe(XdsHub hub)
    {
        _hub = hub;
        _hub.Committed += OnCommitted;
    }

    public ResourceTable Addresses => _hub.GetTable(TypeUrls.Address);

    /// <summary>Names changed (updated or removed) since the last call.</summary>
    public IReadOnlyList<string> TakeChanged()
    {
        var names = new List<string>();
        while (_changed.TryDequeue(out var name))
        {
            names.Add(name);
        }
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    public Address? Get(string name) =>
        Addresses.TryGet(name, out var resource) ? Address.Parser.ParseFrom(resource.Body) : null;

    public async Task WaitUntilAsync(Func<HubProbe, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
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
            if (change.Key.TypeUrl == TypeUrls.Address)
            {
                foreach (var name in change.Names)
                {
                    _changed.Enqueue(name);
                }
            }
        }
    }

    public void Dispose() => _hub.Committed -= OnCommitted;
}
