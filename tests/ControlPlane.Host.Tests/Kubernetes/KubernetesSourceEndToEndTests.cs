using System.Net;
using ControlPlane.Testing.Kubernetes;

namespace ControlPlane.Host.Tests.Kubernetes;

/// <summary>
/// Cluster objects → informers → grains → hub → a ztunnel's delta ADS stream, through the real host in
/// Kubernetes mode and the API server double.
/// </summary>
public sealed class KubernetesSourceEndToEndTests
{
    private const string Shop = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop, labels: {istio.io/dataplane-mode: ambient}}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec:
          selector: {app: web}
          clusterIP: 10.96.0.10
          ports: [{name: http, port: 80, targetPort: 8080}]
        ---

        """;

    [Fact]
    public async Task Ztunnel_LocalCluster_GetsTheInitialStateThenUpdatesAndDeletes()
    {
        await using var cp = await KubernetesControlPlane.StartAsync(Shop + Pod("shop", "web-1", "10.0.1.1") + Pod("shop", "web-2", "10.0.1.2"));
        await cp.WaitUntilAsync(async () => (await cp.Server.Http.GetAsync(new Uri("/ready", UriKind.Relative))).StatusCode == HttpStatusCode.OK, "ready");
        using var channel = cp.Server.CreateXdsChannel();
        await using var ztunnel = await ZtunnelView.ConnectAsync(channel);

        await ztunnel.WaitUntilAsync(z => z.Service("shop", "web") is not null
            && z.Workload("shop", "web-1")?.Services.ContainsKey("shop/web.shop.svc.cluster.local") == true
            && z.Workload("shop", "web-2")?.Services.ContainsKey("shop/web.shop.svc.cluster.local") == true, "the initial state");
        Assert.Equal(8080u, ztunnel.Workload("shop", "web-1")!.Services["shop/web.shop.svc.cluster.local"].Ports.Single().TargetPort);
        Assert.Equal(IPAddress.Parse("10.96.0.10").GetAddressBytes(), ztunnel.Service("shop", "web")!.Addresses.Single().Address.ToByteArray());

        cp.Local.Apply(Pod("shop", "web-1", "10.0.1.11"));
        await ztunnel.WaitUntilAsync(z => Ip(z.Workload("shop", "web-1")) == "10.0.1.11", "web-1 moved");

        cp.Local.Delete(ApiResource.Pods, "shop", "web-2");
        await ztunnel.WaitUntilAsync(z => z.Workload("shop", "web-2") is null, "web-2 removed");
        Assert.Equal(["Kubernetes//Pod/shop/web-2"], ztunnel.TakeRemoved());

        cp.Local.Apply(Pod("shop", "web-3", "10.0.1.3"));
        await ztunnel.WaitUntilAsync(z => z.Workload("shop", "web-3") is not null, "web-3 added");
    }

    [Fact]
    public async Task Metrics_OnePodAdded_OneObjectBuilt()
    {
        await using var cp = await KubernetesControlPlane.StartAsync(Shop + Pod("shop", "web-1", "10.0.1.1"));
        await cp.WaitUntilAsync(async () => (await cp.Server.Http.GetAsync(new Uri("/ready", UriKind.Relative))).StatusCode == HttpStatusCode.OK, "ready");
        using var monitoring = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{cp.Server.MonitoringPort}") };

        var before = await monitoring.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        cp.Local.Apply(Pod("shop", "web-2", "10.0.1.2"));
        await cp.WaitUntilAsync(() => Task.FromResult(cp.Server.Hub.GetTable(ControlPlane.Xds.TypeUrls.Address).TryGet("Kubernetes//Pod/shop/web-2", out _)), "web-2 in the hub");
        var after = await monitoring.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        // The new pod builds itself alone.
        Assert.Equal(1, Sample(after, "controlplane_namespace_rebuilds_total") - Sample(before, "controlplane_namespace_rebuilds_total"));
        Assert.Equal(1, Sample(after, "controlplane_namespace_objects_built_total") - Sample(before, "controlplane_namespace_objects_built_total"));
    }

    [Fact]
    public async Task Metrics_ReportClustersAndInformers()
    {
        await using var cp = await KubernetesControlPlane.StartAsync(Shop + Pod("shop", "web-1", "10.0.1.1"));
        await cp.WaitUntilAsync(async () => (await cp.Server.Http.GetAsync(new Uri("/ready", UriKind.Relative))).StatusCode == HttpStatusCode.OK, "ready");
        using var monitoring = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{cp.Server.MonitoringPort}") };
        const string pods = "{cluster=\"Kubernetes\",resource=\"pods\"}";

        var before = await monitoring.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        cp.Local.Apply(Pod("shop", "web-2", "10.0.1.2"));
        await cp.WaitUntilAsync(async () => (await monitoring.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Contains($"controlplane_kube_informer_objects{pods} 2\n", StringComparison.Ordinal), "the second pod counted");
        var after = await monitoring.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Contains("istiod_managed_clusters{cluster_type=\"local\"} 1\n", before, StringComparison.Ordinal);
        Assert.Contains("controlplane_kube_cluster_stale{cluster=\"Kubernetes\"} 0\n", before, StringComparison.Ordinal);
        Assert.Contains($"controlplane_kube_informer_synced{pods} 1\n", before, StringComparison.Ordinal);
        Assert.Contains($"controlplane_kube_informer_objects{pods} 1\n", before, StringComparison.Ordinal);
        Assert.Contains($"controlplane_kube_informer_events_total{pods} 0\n", before, StringComparison.Ordinal);
        Assert.Contains($"controlplane_kube_informer_events_total{pods} 1\n", after, StringComparison.Ordinal);
        Assert.Contains($"controlplane_kube_informer_changes_total{pods} 2\n", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ztunnel_IstioConfigCrdsInstalledLater_TheirObjectsArriveOnceTheCrdsAreServed()
    {
        await using var cp = await KubernetesControlPlane.StartAsync(Shop + Pod("shop", "web-1", "10.0.1.1"));
        // Without the CRDs the control plane is ready all the same; the informers report and retry.
        await cp.WaitUntilAsync(async () => (await cp.Server.Http.GetAsync(new Uri("/ready", UriKind.Relative))).StatusCode == HttpStatusCode.OK, "ready");
        var local = (await cp.ClusterAsync("Kubernetes"))!.Value;
        Assert.Contains(local.GetProperty("informers").EnumerateArray(), i =>
            i.GetProperty("resource").GetString() == "authorizationpolicies.security.istio.io" && !i.GetProperty("installed").GetBoolean());
        using var channel = cp.Server.CreateXdsChannel();
        await using var ztunnel = await ZtunnelView.ConnectAsync(channel);
        await ztunnel.WaitUntilAsync(z => z.Workload("shop", "web-1") is not null, "web-1");

        cp.Local.Install(ApiResource.AuthorizationPolicies);
        cp.Local.Install(ApiResource.ServiceEntries);
        cp.Local.Apply("""
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: allow-web, namespace: shop}
            spec:
              selector: {matchLabels: {app: web}}
              action: ALLOW
              rules:
              - from: [{source: {namespaces: [shop]}}]
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: payments, namespace: shop}
            spec:
              hosts: [api.payments.example.com]
              addresses: [240.240.0.1]
              resolution: DNS
              ports: [{number: 443, name: https, protocol: TLS}]
            """);

        await ztunnel.WaitUntilAsync(z => z.Authorizations.ContainsKey("shop/allow-web")
            && z.ServiceByHost("api.payments.example.com") is not null
            && z.Workload("shop", "web-1")!.AuthorizationPolicies.Contains("shop/allow-web"), "the policy and the ServiceEntry");

        cp.Local.Delete(ApiResource.AuthorizationPolicies, "shop", "allow-web");
        await ztunnel.WaitUntilAsync(z => !z.Authorizations.ContainsKey("shop/allow-web") && z.Workload("shop", "web-1")!.AuthorizationPolicies.Count == 0, "the policy removed");
    }

    [Fact]
    public async Task Ready_WaitsForTheInitialSyncOfEveryLocalInformer()
    {
        await using var cp = await KubernetesControlPlane.StartAsync(prepare: api => api.Forbid(ApiResource.Pods));

        await cp.WaitUntilAsync(async () =>
        {
            using var response = await cp.Server.Http.GetAsync(new Uri("/ready", UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.ServiceUnavailable && body.Contains("kubernetes/pods", StringComparison.Ordinal)
                && !body.Contains("kubernetes/services", StringComparison.Ordinal);
        }, "/ready waits for pods only");
        // Unsynced from the start, the pods informer is reported stale once its list has been refused.
        await cp.WaitUntilAsync(async () => (await cp.ClusterAsync("Kubernetes"))!.Value.GetProperty("informers").EnumerateArray().Any(i =>
            i.GetProperty("resource").GetString() == "pods" && i.GetProperty("lastError").GetString() is { } error && error.Contains("Forbidden", StringComparison.Ordinal)),
            "the refused list reported");
        var local = (await cp.ClusterAsync("Kubernetes"))!.Value;
        Assert.True(local.GetProperty("stale").GetBoolean());

        cp.Local.Forbid(ApiResource.Pods, forbidden: false);

        await cp.WaitUntilAsync(async () => (await cp.Server.Http.GetAsync(new Uri("/ready", UriKind.Relative))).StatusCode == HttpStatusCode.OK, "ready");
    }

    [Fact]
    public async Task Ztunnel_RemoteClusterAddedAndRemovedThroughItsSecret_MeetsLocalObjectsByNamespace()
    {
        await using var cp = await KubernetesControlPlane.StartAsync(Shop + Pod("shop", "local-pod", "10.0.1.1"));
        var east = await cp.StartRemoteAsync("east", Pod("shop", "east-pod", "10.2.0.1", labels: "{app: web}"));
        using var channel = cp.Server.CreateXdsChannel();
        await using var ztunnel = await ZtunnelView.ConnectAsync(channel);
        await ztunnel.WaitUntilAsync(z => z.Workload("shop", "local-pod") is not null, "the local pod");

        cp.ApplySecret("istio-remote-secret-east", ("east", east.Kubeconfig()));

        // Namespace sameness: the remote pod lands in the grain of "shop" and is selected by its Service.
        await ztunnel.WaitUntilAsync(z => z.Workload("shop", "east-pod")?.Services.ContainsKey("shop/web.shop.svc.cluster.local") == true, "the remote pod in the service");
        // It keeps its own cluster's identity: a same-named pod in another cluster cannot collide with it.
        Assert.Equal("east//Pod/shop/east-pod", ztunnel.Workload("shop", "east-pod")!.Uid);
        Assert.Equal("east", ztunnel.Workload("shop", "east-pod")!.ClusterId);
        var status = (await cp.ClusterAsync("east"))!.Value;
        Assert.Equal("istio-system/istio-remote-secret-east", status.GetProperty("secret").GetString());

        cp.Local.Delete(ApiResource.Secrets, "istio-system", "istio-remote-secret-east");

        await ztunnel.WaitUntilAsync(z => z.Workload("shop", "east-pod") is null, "the remote pod removed");
        Assert.NotNull(ztunnel.Workload("shop", "local-pod"));
        await cp.WaitUntilAsync(async () => await cp.ClusterAsync("east") is null, "east unregistered");
    }

    [Fact]
    public async Task Ztunnel_UnreachableRemoteCluster_KeepsItsWorkloadsUntilItResyncs()
    {
        await using var cp = await KubernetesControlPlane.StartAsync(Shop);
        var east = await cp.StartRemoteAsync("east", Pod("shop", "east-1", "10.2.0.1") + Pod("shop", "east-2", "10.2.0.2"));
        cp.ApplySecret("east-secret", ("east", east.Kubeconfig()));
        using var channel = cp.Server.CreateXdsChannel();
        await using var ztunnel = await ZtunnelView.ConnectAsync(channel);
        await ztunnel.WaitUntilAsync(z => z.Workload("shop", "east-1") is not null && z.Workload("shop", "east-2") is not null, "the remote pods");

        east.Reachable = false;

        await cp.WaitUntilAsync(async () => (await cp.ClusterAsync("east"))!.Value.GetProperty("stale").GetBoolean(), "east is shown stale");
        await ztunnel.ExpectNoAddressChangeAsync();
        Assert.NotNull(ztunnel.Workload("shop", "east-1"));
        Assert.NotNull(ztunnel.Workload("shop", "east-2"));

        east.Apply(Pod("shop", "east-1", "10.2.0.11"));
        east.Delete(ApiResource.Pods, "shop", "east-2");
        east.Reachable = true;

        await ztunnel.WaitUntilAsync(z => Ip(z.Workload("shop", "east-1")) == "10.2.0.11" && z.Workload("shop", "east-2") is null, "east resynced");
        await cp.WaitUntilAsync(async () => !(await cp.ClusterAsync("east"))!.Value.GetProperty("stale").GetBoolean(), "east is fresh");
    }

    [Fact]
    public async Task Ca_KubernetesMode_KeepsItsRootInTheClusterAndPublishesItToNamespacesTheInformersSee()
    {
        await using var cp = await KubernetesControlPlane.StartAsync(Shop);

        await cp.WaitUntilAsync(() => Task.FromResult(cp.Local.Get(ApiResource.ConfigMaps, "shop", "istio-ca-root-cert") is not null), "the root ConfigMap in shop");
        Assert.NotNull(cp.Local.Get(ApiResource.Secrets, "istio-system", "istio-ca-secret"));
        var root = cp.Local.Get(ApiResource.ConfigMaps, "shop", "istio-ca-root-cert")!["data"]!["root-cert.pem"]!.GetValue<string>();
        Assert.Equal(cp.Server.RootCertificatePem.Trim(), root.Trim());

        cp.Local.Apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: later}\n");

        await cp.WaitUntilAsync(() => Task.FromResult(cp.Local.Get(ApiResource.ConfigMaps, "later", "istio-ca-root-cert") is not null), "the root ConfigMap in a new namespace");
    }

    [Fact]
    public async Task DebugClusters_KubernetesMode_NamesTheSourceAndTheLocalCluster()
    {
        await using var cp = await KubernetesControlPlane.StartAsync();

        var debug = await cp.DebugClustersAsync();

        Assert.Equal("KubeconfigFile", debug.GetProperty("source").GetString());
        Assert.EndsWith("local.kubeconfig", debug.GetProperty("kubeConfig").GetString(), StringComparison.Ordinal);
        var local = debug.GetProperty("clusters").EnumerateArray().Single();
        Assert.Equal(("Kubernetes", true, null), (local.GetProperty("id").GetString(), local.GetProperty("local").GetBoolean(), local.GetProperty("secret").GetString()));
        Assert.Contains(local.GetProperty("informers").EnumerateArray(), i => i.GetProperty("resource").GetString() == "secrets");
    }

    private static string? Ip(Istio.Workload.Workload? workload) =>
        workload is null ? null : new IPAddress(workload.Addresses.Single().ToByteArray()).ToString();

    private static string Pod(string ns, string name, string ip, string labels = "{app: web}") => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          namespace: {ns}
          labels: {labels}
        spec:
          nodeName: node-a
        status:
          phase: Running
          podIP: {ip}
          conditions:
          - type: Ready
            status: "True"
        ---

        """;

    /// <summary>The value of an unlabelled sample in a Prometheus text page.</summary>
    private static double Sample(string metrics, string name) =>
        double.Parse(metrics.Split('\n').Single(line => line.StartsWith(name + " ", StringComparison.Ordinal))[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
}
