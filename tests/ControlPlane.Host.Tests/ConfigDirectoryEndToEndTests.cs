using System.Net;
using ControlPlane.Testing;
using ControlPlane.Testing.Xds;
using ControlPlane.Xds;
using Envoy.Service.Discovery.V3;
using Istio.Workload;

namespace ControlPlane.Host.Tests;

/// <summary>
/// The host on a temporary copy of the example mesh, with a client that behaves like ztunnel: what it
/// is sent initially, after each kind of file edit, on reconnect, and when it is an older ztunnel.
/// </summary>
public sealed class ConfigDirectoryEndToEndTests : IAsyncLifetime
{
    private const string FrontendPod = "Kubernetes//Pod/shop/frontend-6c9f7d5b8-k2x9p";
    private const string CartPod = "Kubernetes//Pod/shop/cart-7b8d9c6f5-m4n7q";

    private static readonly string[] MeshAddresses =
    [
        "Kubernetes//Pod/legacy/orders-db-0",
        CartPod,
        FrontendPod,
        "Kubernetes//Pod/shop/waypoint-5d9b7c8f6-q2w3e",
        "Kubernetes/networking.istio.io/ServiceEntry/shop/payment-provider/api.payments.example.com",
        "Kubernetes/networking.istio.io/WorkloadEntry/shop/inventory-vm-1",
        "legacy/orders-db.legacy.svc.cluster.local",
        "shop/api.payments.example.com",
        "shop/cart.shop.svc.cluster.local",
        "shop/frontend.shop.svc.cluster.local",
        "shop/inventory.shop.svc.cluster.local",
        "shop/waypoint.shop.svc.cluster.local",
    ];

    private static readonly string[] MeshAuthorizations =
    [
        "istio-system/istio_converted_static_strict",
        "shop/cart-from-frontend",
        "shop/deny-legacy",
    ];

    private readonly string _directory = Directory.CreateTempSubdirectory("ambient-mesh-").FullName;
    private TestControlPlane _controlPlane = null!;

    public async Task InitializeAsync()
    {
        foreach (var file in Directory.GetFiles(ExampleMesh(), "*.yaml"))
        {
            File.Copy(file, Path.Combine(_directory, Path.GetFileName(file)));
        }
        _controlPlane = await TestControlPlane.StartAsync("--config-dir", _directory);
        await WaitUntilReadyAsync();
    }

    public async Task DisposeAsync()
    {
        await _controlPlane.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void Ready_AfterInitialSync_HubServesTheWholeDirectory()
    {
        // Ready is only reported once the directory went through the grains into this silo's hub.
        Assert.Equal(MeshAddresses.Order(StringComparer.Ordinal), _controlPlane.Hub.GetTable(TypeUrls.Address).Names.Order(StringComparer.Ordinal));
        Assert.Equal(MeshAuthorizations, _controlPlane.Hub.GetTable(TypeUrls.Authorization).Names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Ztunnel_InitialSubscription_GetsTheMeshAddressesAndAuthorizations()
    {
        using var channel = _controlPlane.CreateXdsChannel();
        await using var ztunnel = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, XdsNodes.Ztunnel(nodeName: "worker-a", istioVersion: "1.31.0"));

        var addresses = await ztunnel.ExpectAndAckAsync(TypeUrls.Address);
        var authorizations = await ztunnel.ExpectAndAckAsync(TypeUrls.Authorization);

        Assert.Equal(MeshAddresses, Names(addresses));
        Assert.Empty(addresses.RemovedResources);
        Assert.Equal(MeshAuthorizations, Names(authorizations));
        var cart = Address.Parser.ParseFrom(addresses.Resources.Single(r => r.Name == "shop/cart.shop.svc.cluster.local").Resource_.Value).Service;
        Assert.Equal("waypoint.shop.svc.cluster.local", cart.Waypoint.Hostname.Hostname);
        var frontend = Address.Parser.ParseFrom(addresses.Resources.Single(r => r.Name == FrontendPod).Resource_.Value).Workload;
        Assert.Equal(TunnelProtocol.Hbone, frontend.TunnelProtocol);
        Assert.Equal("eu-west-1a", frontend.Locality.Zone);
        Assert.Equal("net-1", frontend.Network);
        Assert.Equal(["istio-system/istio_converted_static_strict"], frontend.AuthorizationPolicies);
    }

    [Fact]
    public async Task Ztunnel_ConfigFilesEdited_GetsDeltasWithExactlyTheChangedResources()
    {
        using var channel = _controlPlane.CreateXdsChannel();
        await using var ztunnel = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, XdsNodes.Ztunnel());
        await ztunnel.ExpectAndAckAsync(TypeUrls.Address);
        await ztunnel.ExpectAndAckAsync(TypeUrls.Authorization);

        // A pod label change: that pod only.
        Edit("shop.yaml", "    version: v1\n", "    version: v1-hotfix\n");
        var relabelled = await CollectAsync(ztunnel);
        Assert.Equal([FrontendPod], relabelled.Updated(TypeUrls.Address));
        Assert.Empty(relabelled.Removed(TypeUrls.Address));
        Assert.Empty(relabelled.Updated(TypeUrls.Authorization));

        // A pod deleted: one removal.
        Edit("shop.yaml", ExtractDocument("shop.yaml", "name: cart-7b8d9c6f5-m4n7q"), string.Empty);
        var deleted = await CollectAsync(ztunnel);
        Assert.Empty(deleted.Updated(TypeUrls.Address));
        Assert.Equal([CartPod], deleted.Removed(TypeUrls.Address));

        // A policy added: the policy, and the one workload that now lists it.
        File.WriteAllText(Path.Combine(_directory, "frontend-policy.yaml"), """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata:
              name: frontend-from-ingress
              namespace: shop
            spec:
              selector:
                matchLabels:
                  app: frontend
              rules:
              - from:
                - source:
                    namespaces: ["istio-ingress"]
            """);
        var policyAdded = await CollectAsync(ztunnel);
        Assert.Equal(["shop/frontend-from-ingress"], policyAdded.Updated(TypeUrls.Authorization));
        Assert.Equal([FrontendPod], policyAdded.Updated(TypeUrls.Address));

        // The namespace relabelled (no waypoint any more): exactly the Services that were bound.
        Edit("shop.yaml", "    istio.io/use-waypoint: waypoint\n", string.Empty);
        var unbound = await CollectAsync(ztunnel);
        Assert.Equal(
            ["shop/api.payments.example.com", "shop/cart.shop.svc.cluster.local", "shop/frontend.shop.svc.cluster.local", "shop/inventory.shop.svc.cluster.local"],
            unbound.Updated(TypeUrls.Address));
        Assert.Empty(unbound.Removed(TypeUrls.Address));
        Assert.Empty(unbound.Updated(TypeUrls.Authorization));
    }

    [Fact]
    public async Task Ztunnel_ReconnectWithVersions_GetsOnlyTheDifference()
    {
        using var channel = _controlPlane.CreateXdsChannel();
        var first = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, XdsNodes.Ztunnel());
        await first.ExpectAndAckAsync(TypeUrls.Address);
        await first.ExpectAndAckAsync(TypeUrls.Authorization);
        await first.DisposeAsync();

        // While it is away: a pod changes and another goes.
        Edit("shop.yaml", "    version: v2\n", "    version: v3\n");
        Edit("legacy.yaml", ExtractDocument("legacy.yaml", "name: orders-db-0"), string.Empty);
        await WaitUntilAsync(() => !_controlPlane.Hub.GetTable(TypeUrls.Address).TryGet("Kubernetes//Pod/legacy/orders-db-0", out _), "the edits reached the hub");
        await WaitUntilAsync(() => _controlPlane.Hub.GetTable(TypeUrls.Address).TryGet(CartPod, out var cart) && cart.Version != first.Held(TypeUrls.Address)[CartPod], "the cart pod changed");

        await using var second = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, XdsNodes.Ztunnel(), previous: first);
        var addresses = await second.ExpectAndAckAsync(TypeUrls.Address);
        var authorizations = await second.ExpectAndAckAsync(TypeUrls.Authorization);

        Assert.Equal([CartPod], Names(addresses));
        Assert.Equal(["Kubernetes//Pod/legacy/orders-db-0"], addresses.RemovedResources);
        // Authorizations carry versions too, so an unchanged set is not sent again.
        Assert.Empty(authorizations.Resources);
        Assert.Empty(authorizations.RemovedResources);
    }

    [Fact]
    public async Task Ztunnel_OlderIstioVersion_GetsOnlyWhatItUnderstands()
    {
        File.WriteAllText(Path.Combine(_directory, "corp.yaml"), """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: corp
              namespace: legacy
            spec:
              hosts: ["corp.internal"]
              addresses: ["10.128.0.0/16", "192.0.2.10"]
              resolution: NONE
              ports:
              - {number: 443, name: tls, protocol: TLS}
            """);
        await WaitUntilAsync(() => _controlPlane.Hub.GetTable(TypeUrls.Address).TryGet("legacy/corp.internal", out _), "the entry is served");
        using var channel = _controlPlane.CreateXdsChannel();
        await using var current = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, XdsNodes.Ztunnel(istioVersion: "1.31.1"));
        await using var old = await DeltaAdsTestClient.ConnectZtunnelAsync(channel, XdsNodes.Ztunnel(podName: "ztunnel-old", istioVersion: "1.27.3"));

        var latest = await current.ExpectAndAckAsync(TypeUrls.Address);
        var downgraded = await old.ExpectAndAckAsync(TypeUrls.Address);

        var corpLatest = Service(latest, "legacy/corp.internal");
        Assert.Equal(LoadBalancing.Types.Mode.Passthrough, corpLatest.LoadBalancing.Mode);
        Assert.Equal(AppProtocol.Tls, corpLatest.Ports.Single().AppProtocol);
        Assert.Equal(2, corpLatest.Addresses.Count);
        var corpOld = Service(downgraded, "legacy/corp.internal");
        Assert.Equal(LoadBalancing.Types.Mode.UnspecifiedMode, corpOld.LoadBalancing.Mode);
        Assert.Equal(AppProtocol.Unknown, corpOld.Ports.Single().AppProtocol);
        Assert.False(corpOld.Addresses.Single().HasLength);
        // Resources an old ztunnel understands as they are: the same bytes, the same version.
        var workload = latest.Resources.Single(r => r.Name == FrontendPod);
        Assert.Equal(workload.Version, downgraded.Resources.Single(r => r.Name == FrontendPod).Version);
        Assert.NotEqual(latest.Resources.Single(r => r.Name == "legacy/corp.internal").Version, downgraded.Resources.Single(r => r.Name == "legacy/corp.internal").Version);
    }

    private static Service Service(DeltaDiscoveryResponse response, string name) =>
        Address.Parser.ParseFrom(response.Resources.Single(r => r.Name == name).Resource_.Value).Service;

    private static List<string> Names(DeltaDiscoveryResponse response) => [.. response.Resources.Select(r => r.Name).Order(StringComparer.Ordinal)];

    /// <summary>Every response (of any type) until the stream is quiet, each acknowledged.</summary>
    private static async Task<Pushed> CollectAsync(DeltaAdsTestClient ztunnel)
    {
        var pushed = new Pushed();
        var response = await ztunnel.ExpectResponseAsync();
        while (true)
        {
            await ztunnel.AckAsync(response);
            pushed.Add(response);
            try
            {
                response = await ztunnel.ExpectResponseAsync(timeout: TimeSpan.FromSeconds(2));
            }
            catch (TimeoutException)
            {
                return pushed;
            }
        }
    }

    /// <summary>Replaces text in a file of the directory, written atomically as editors do.</summary>
    private void Edit(string file, string from, string to)
    {
        var path = Path.Combine(_directory, file);
        var text = File.ReadAllText(path);
        Assert.Contains(from, text, StringComparison.Ordinal);
        File.WriteAllText(path + ".tmp", text.Replace(from, to, StringComparison.Ordinal));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>The YAML document (with its leading separator) of a file that contains <paramref name="marker"/>.</summary>
    private string ExtractDocument(string file, string marker)
    {
        var text = File.ReadAllText(Path.Combine(_directory, file));
        var at = text.IndexOf(marker, StringComparison.Ordinal);
        var start = text.LastIndexOf("\n---\n", at, StringComparison.Ordinal);
        var end = text.IndexOf("\n---\n", at, StringComparison.Ordinal);
        return end < 0 ? text[start..] : text[start..end];
    }

    private async Task WaitUntilReadyAsync()
    {
        await WaitUntilAsync(() => _controlPlane.Http.GetAsync("/ready").GetAwaiter().GetResult().StatusCode == HttpStatusCode.OK, "the control plane is ready");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(50);
        }
    }

    private static string ExampleMesh()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "examples", "ambient-mesh");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("examples/ambient-mesh not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Names updated and removed per type URL over several responses.</summary>
    private sealed class Pushed
    {
        private readonly Dictionary<string, SortedSet<string>> _updated = new(StringComparer.Ordinal);
        private readonly Dictionary<string, SortedSet<string>> _removed = new(StringComparer.Ordinal);

        public void Add(DeltaDiscoveryResponse response)
        {
            For(_updated, response.TypeUrl).UnionWith(response.Resources.Select(r => r.Name));
            For(_removed, response.TypeUrl).UnionWith(response.RemovedResources);
        }

        public IReadOnlyCollection<string> Updated(string typeUrl) => For(_updated, typeUrl);

        public IReadOnlyCollection<string> Removed(string typeUrl) => For(_removed, typeUrl);

        private static SortedSet<string> For(Dictionary<string, SortedSet<string>> sets, string typeUrl)
        {
            if (!sets.TryGetValue(typeUrl, out var set))
            {
                set = new SortedSet<string>(StringComparer.Ordinal);
                sets[typeUrl] = set;
            }
            return set;
        }
    }
}
