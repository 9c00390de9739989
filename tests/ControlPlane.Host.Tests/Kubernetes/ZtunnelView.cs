using ControlPlane.Testing.Xds;
using ControlPlane.Xds;
using Grpc.Net.Client;
using Istio.Workload;

namespace ControlPlane.Host.Tests.Kubernetes;

/// <summary>
/// What a ztunnel holds: a delta ADS stream (ztunnel's node and initial subscriptions) whose responses
/// are all acknowledged and applied to a name → Address map, with waits on that map.
/// </summary>
public sealed class ZtunnelView : IAsyncDisposable
{
    private readonly DeltaAdsTestClient _client;
    private readonly Dictionary<string, Address> _addresses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Istio.Security.Authorization> _authorizations = new(StringComparer.Ordinal);
    private readonly List<string> _removed = [];

    private ZtunnelView(DeltaAdsTestClient client) => _client = client;

    public IReadOnlyDictionary<string, Address> Addresses => _addresses;

    /// <summary>Authorization resources held, by name (<c>namespace/name</c>).</summary>
    public IReadOnlyDictionary<string, Istio.Security.Authorization> Authorizations => _authorizations;

    /// <summary>Names removed by responses since the last <see cref="TakeRemoved"/>.</summary>
    public IReadOnlyList<string> TakeRemoved()
    {
        var removed = _removed.Order(StringComparer.Ordinal).ToList();
        _removed.Clear();
        return removed;
    }

    public static async Task<ZtunnelView> ConnectAsync(GrpcChannel channel)
    {
        var view = new ZtunnelView(await DeltaAdsTestClient.ConnectZtunnelAsync(channel, XdsNodes.Ztunnel()));
        return view;
    }

    public Workload? Workload(string ns, string name) =>
        _addresses.Values.Select(a => a.Workload).FirstOrDefault(w => w is not null && w.Namespace == ns && w.Name == name);

    public Service? Service(string ns, string name) =>
        _addresses.Values.Select(a => a.Service).FirstOrDefault(s => s is not null && s.Namespace == ns && s.Name == name);

    public Service? ServiceByHost(string hostname) =>
        _addresses.Values.Select(a => a.Service).FirstOrDefault(s => s is not null && s.Hostname == hostname);

    /// <summary>Reads (and ACKs) responses until <paramref name="condition"/> holds.</summary>
    public async Task WaitUntilAsync(Func<ZtunnelView, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition(this))
        {
            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero, $"timed out waiting until {what}");
            try
            {
                var response = await _client.ExpectResponseAsync(timeout: left);
                await _client.AckAsync(response);
                if (response.TypeUrl == TypeUrls.Authorization)
                {
                    foreach (var resource in response.Resources)
                    {
                        _authorizations[resource.Name] = resource.Resource_.Unpack<Istio.Security.Authorization>();
                    }
                    foreach (var name in response.RemovedResources)
                    {
                        _authorizations.Remove(name);
                    }
                    continue;
                }
                if (response.TypeUrl != TypeUrls.Address)
                {
                    continue;
                }
                foreach (var resource in response.Resources)
                {
                    _addresses[resource.Name] = resource.Resource_.Unpack<Address>();
                }
                foreach (var name in response.RemovedResources)
                {
                    _addresses.Remove(name);
                    _removed.Add(name);
                }
            }
            catch (TimeoutException)
            {
                Assert.Fail($"timed out waiting until {what}");
            }
        }
    }

    /// <summary>
    /// Asserts that no Address resource changes for a while (e.g. nothing is removed during an outage);
    /// other responses are acknowledged and ignored.
    /// </summary>
    public async Task ExpectNoAddressChangeAsync()
    {
        var end = DateTime.UtcNow + TimeSpan.FromSeconds(1);
        while (end - DateTime.UtcNow is { Ticks: > 0 } left)
        {
            Envoy.Service.Discovery.V3.DeltaDiscoveryResponse response;
            try
            {
                response = await _client.ExpectResponseAsync(timeout: left);
            }
            catch (TimeoutException)
            {
                return;
            }
            await _client.AckAsync(response);
            Assert.False(
                response.TypeUrl == TypeUrls.Address && (response.Resources.Count > 0 || response.RemovedResources.Count > 0),
                $"expected no Address change, got {response}");
        }
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
