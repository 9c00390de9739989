using ControlPlane.Bench.Churn;
using ControlPlane.Bench.Mesh;
using ControlPlane.Testing.Xds;
using ControlPlane.Xds;

namespace ControlPlane.Bench.Load;

/// <summary>
/// N simulated ztunnels, one per node of the mesh (node id and metadata as ztunnel sends them), each on
/// a delta ADS stream subscribing to Address and Authorization as ztunnel does, spread over several
/// HTTP/2 connections. Every client checks that a sample of the Address resources it receives carries the
/// right content hash as its version; while <see cref="Tracking"/>, it also looks for the resources a
/// <see cref="PropagationTracker"/> waits for (of either type), decodes those and reports the marker they carry.
/// </summary>
public sealed class ZtunnelFleet : IAsyncDisposable
{
    /// <summary>One resource in this many has its version checked against its body.</summary>
    public const int VersionSampleEvery = 61;

    private readonly ChannelSet _channels;
    private readonly List<LightDeltaClient> _clients;
    private readonly PropagationTracker? _tracker;
    private long _versionsChecked;
    private long _versionMismatches;
    private long _decoded;
    private volatile bool _tracking;

    private ZtunnelFleet(Uri address, int clients, int nodes, PropagationTracker? tracker)
    {
        _tracker = tracker;
        _channels = new ChannelSet(address, clients);
        _clients = new List<LightDeltaClient>(clients);
        for (var i = 0; i < clients; i++)
        {
            var node = XdsNodes.Ztunnel(
                nodeName: MeshGenerator.NodeName(i % Math.Max(1, nodes)),
                ip: $"10.254.{i / 256 % 256}.{i % 256}",
                podName: $"ztunnel-{i:d4}",
                ns: "istio-system");
            _clients.Add(LightDeltaClient.Start(_channels.For(i).CreateCallInvoker(), node, [TypeUrls.Address, TypeUrls.Authorization],
                OnResponse, id: i));
        }
    }

    public int Count => _clients.Count;

    /// <summary>While true, responses are searched for the tracker's pending changes.</summary>
    public bool Tracking
    {
        get => _tracking;
        set => _tracking = value;
    }

    public long VersionsChecked => Interlocked.Read(ref _versionsChecked);

    public long VersionMismatches => Interlocked.Read(ref _versionMismatches);

    /// <summary>Resources decoded to read a marker.</summary>
    public long Decoded => Interlocked.Read(ref _decoded);

    public long ResourcesReceived => _clients.Sum(c => c.Resources);

    public long BytesReceived => _clients.Sum(c => c.BytesReceived);

    /// <summary>
    /// Starts <paramref name="clients"/> ztunnels against <paramref name="address"/>, client i on node
    /// <c>i mod nodes</c>; <paramref name="tracker"/> (sized for as many clients) receives observations.
    /// </summary>
    public static ZtunnelFleet Start(Uri address, int clients, int nodes, PropagationTracker? tracker = null) =>
        new(address, clients, nodes, tracker);

    /// <summary>Waits until every client got its first response of both types.</summary>
    public Task WaitInitialAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        Task.WhenAll(_clients.Select(c => c.Initial)).WaitAsync(timeout, cancellationToken);

    public IReadOnlyList<LightDeltaClient> Clients => _clients;

    private void OnResponse(LightDeltaClient client, DeltaResponseView view)
    {
        var isAddress = view.TypeUrl == TypeUrls.Address;
        if (!isAddress && view.TypeUrl != TypeUrls.Authorization)
        {
            return;
        }
        // Address versions are content hashes (spec §1.5); istiod sends Authorization without one.
        for (var i = (VersionSampleEvery - client.Id % VersionSampleEvery) % VersionSampleEvery; isAddress && i < view.ResourceCount; i += VersionSampleEvery)
        {
            CheckVersion(view, i);
        }
        if (!_tracking || _tracker is not { } tracker)
        {
            return;
        }
        for (var i = 0; i < view.ResourceCount; i++)
        {
            var name = view.ResourceName(i);
            if (!tracker.Tracks(name))
            {
                continue;
            }
            Interlocked.Increment(ref _decoded);
            long marker;
            if (isAddress)
            {
                CheckVersion(view, i);
                marker = ChangeMarker.Read(view.DecodeAddress(i));
            }
            else
            {
                marker = ChangeMarker.Read(view.DecodeAuthorization(i));
            }
            tracker.ObserveUpdate(client.Id, name, marker, view.ReceivedAt);
        }
        for (var i = 0; i < view.RemovedCount; i++)
        {
            tracker.ObserveRemoval(client.Id, view.RemovedName(i), view.ReceivedAt);
        }
    }

    private void CheckVersion(DeltaResponseView view, int index)
    {
        Interlocked.Increment(ref _versionsChecked);
        if (!view.VersionMatchesBody(index))
        {
            Interlocked.Increment(ref _versionMismatches);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_clients.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
        _channels.Dispose();
    }
}
