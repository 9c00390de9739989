using ControlPlane.Ambient.Model;
using ControlPlane.Kubernetes.Conversion;

namespace ControlPlane.Kubernetes.Tests.Conversion;

/// <summary>
/// The Istio, Gateway API and discovery kinds: each converts from JSON (as the API server sends it)
/// exactly as from YAML, every supported version is accepted, and invalid objects name the field.
/// </summary>
public sealed class KubeObjectConverterMeshKindsTests
{
    public static TheoryData<string, string, string> Objects => new()
    {
        {
            "networking.istio.io/v1/ServiceEntry",
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: db, namespace: data, uid: se-1, labels: {app: db}, creationTimestamp: "2026-01-02T03:04:05Z"}
            spec:
              hosts: [db.example.com, db-ro.example.com]
              addresses: [240.0.0.1/32, 10.0.0.0/8]
              resolution: STATIC
              subjectAltNames: [spiffe://cluster.local/ns/data/sa/db]
              workloadSelector: {labels: {app: db}}
              ports:
              - {number: 5432, name: tcp-pg, protocol: TCP, targetPort: 15432}
              endpoints:
              - {address: 192.168.0.1, ports: {tcp-pg: 25432}, labels: {version: v1}, network: vm, locality: eu/eu-1, weight: 2, serviceAccount: db}
            status:
              addresses:
              - {host: db.example.com, value: 240.240.0.1}
            """,
            """
            {"apiVersion":"networking.istio.io/v1","kind":"ServiceEntry",
             "metadata":{"name":"db","namespace":"data","uid":"se-1","labels":{"app":"db"},"creationTimestamp":"2026-01-02T03:04:05Z"},
             "spec":{"hosts":["db.example.com","db-ro.example.com"],"addresses":["240.0.0.1/32","10.0.0.0/8"],"resolution":"STATIC",
               "subjectAltNames":["spiffe://cluster.local/ns/data/sa/db"],"workloadSelector":{"labels":{"app":"db"}},
               "ports":[{"number":5432,"name":"tcp-pg","protocol":"TCP","targetPort":15432}],
               "endpoints":[{"address":"192.168.0.1","ports":{"tcp-pg":25432},"labels":{"version":"v1"},"network":"vm","locality":"eu/eu-1","weight":2,"serviceAccount":"db"}]},
             "status":{"addresses":[{"host":"db.example.com","value":"240.240.0.1"}]}}
            """
        },
        {
            "networking.istio.io/v1beta1/WorkloadEntry",
            """
            apiVersion: networking.istio.io/v1beta1
            kind: WorkloadEntry
            metadata: {name: vm-1, namespace: legacy, labels: {app: billing, tier: metadata}}
            spec: {address: 172.16.0.1, labels: {tier: spec, version: v2}, ports: {http: 8080}, serviceAccount: billing, weight: 3}
            """,
            """
            {"apiVersion":"networking.istio.io/v1beta1","kind":"WorkloadEntry",
             "metadata":{"name":"vm-1","namespace":"legacy","labels":{"app":"billing","tier":"metadata"}},
             "spec":{"address":"172.16.0.1","labels":{"tier":"spec","version":"v2"},"ports":{"http":8080},"serviceAccount":"billing","weight":3}}
            """
        },
        {
            "security.istio.io/v1/AuthorizationPolicy",
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: cart, namespace: shop, annotations: {istio.io/dry-run: "false"}}
            spec:
              selector: {matchLabels: {app: cart}}
              action: DENY
              rules:
              - from: [{source: {principals: [a/b], notNamespaces: [x], ipBlocks: [10.0.0.0/8], serviceAccounts: [shop/web]}}]
                to: [{operation: {ports: ["80"], methods: [GET]}}]
                when: [{key: source.ip, values: [1.2.3.4], notValues: [5.6.7.8]}]
              - {}
            """,
            """
            {"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy",
             "metadata":{"name":"cart","namespace":"shop","annotations":{"istio.io/dry-run":"false"}},
             "spec":{"selector":{"matchLabels":{"app":"cart"}},"action":"DENY",
               "rules":[{"from":[{"source":{"principals":["a/b"],"notNamespaces":["x"],"ipBlocks":["10.0.0.0/8"],"serviceAccounts":["shop/web"]}}],
                         "to":[{"operation":{"ports":["80"],"methods":["GET"]}}],
                         "when":[{"key":"source.ip","values":["1.2.3.4"],"notValues":["5.6.7.8"]}]},{}]}}
            """
        },
        {
            "security.istio.io/v1beta1/PeerAuthentication",
            """
            apiVersion: security.istio.io/v1beta1
            kind: PeerAuthentication
            metadata: {name: api, namespace: bank}
            spec:
              selector: {matchLabels: {app: api}}
              mtls: {mode: STRICT}
              portLevelMtls:
                9090: {mode: PERMISSIVE}
                8081: {mode: DISABLE}
            """,
            """
            {"apiVersion":"security.istio.io/v1beta1","kind":"PeerAuthentication","metadata":{"name":"api","namespace":"bank"},
             "spec":{"selector":{"matchLabels":{"app":"api"}},"mtls":{"mode":"STRICT"},"portLevelMtls":{"9090":{"mode":"PERMISSIVE"},"8081":{"mode":"DISABLE"}}}}
            """
        },
        {
            "gateway.networking.k8s.io/v1/Gateway",
            """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: waypoint, namespace: shop, labels: {istio.io/waypoint-for: all}}
            spec:
              gatewayClassName: istio-waypoint
              listeners:
              - name: mesh
                port: 15008
                protocol: HBONE
                allowedRoutes:
                  namespaces:
                    from: Selector
                    selector:
                      matchLabels: {team: a}
                      matchExpressions: [{key: env, operator: In, values: [prod, staging]}]
            status:
              addresses: [{type: Hostname, value: waypoint.shop.svc.cluster.local}, {value: 10.96.0.9}]
            """,
            """
            {"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway","metadata":{"name":"waypoint","namespace":"shop","labels":{"istio.io/waypoint-for":"all"}},
             "spec":{"gatewayClassName":"istio-waypoint","listeners":[{"name":"mesh","port":15008,"protocol":"HBONE",
               "allowedRoutes":{"namespaces":{"from":"Selector","selector":{"matchLabels":{"team":"a"},"matchExpressions":[{"key":"env","operator":"In","values":["prod","staging"]}]}}}}]},
             "status":{"addresses":[{"type":"Hostname","value":"waypoint.shop.svc.cluster.local"},{"value":"10.96.0.9"}]}}
            """
        },
        {
            "gateway.networking.k8s.io/v1/GatewayClass",
            """
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata: {name: istio-waypoint, annotations: {ambient.istio.io/waypoint-inbound-binding: PROXY}}
            spec: {controllerName: istio.io/mesh-controller}
            """,
            """
            {"apiVersion":"gateway.networking.k8s.io/v1","kind":"GatewayClass","metadata":{"name":"istio-waypoint","annotations":{"ambient.istio.io/waypoint-inbound-binding":"PROXY"}},
             "spec":{"controllerName":"istio.io/mesh-controller"}}
            """
        },
        {
            "discovery.k8s.io/v1/EndpointSlice",
            """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: kubernetes, namespace: default, labels: {kubernetes.io/service-name: kubernetes}}
            addressType: IPv4
            ports: [{name: https, port: 6443, protocol: TCP}]
            endpoints:
            - addresses: [192.168.0.10]
              conditions: {ready: false}
              targetRef: {kind: Pod, namespace: default, name: api-0, uid: pod-uid}
            """,
            """
            {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"kubernetes","namespace":"default","labels":{"kubernetes.io/service-name":"kubernetes"}},
             "addressType":"IPv4","ports":[{"name":"https","port":6443,"protocol":"TCP"}],
             "endpoints":[{"addresses":["192.168.0.10"],"conditions":{"ready":false},"targetRef":{"kind":"Pod","namespace":"default","name":"api-0","uid":"pod-uid"}}]}
            """
        },
    };

    [Theory]
    [MemberData(nameof(Objects))]
    public void Convert_JsonAndYaml_GiveTheSameRecord(string apiVersionKind, string yaml, string json)
    {
        var fromYaml = KubeObjectConverter.Convert(apiVersionKind, yaml, "east");
        var fromJson = KubeObjectConverter.Convert(apiVersionKind, json, "east");

        Assert.NotNull(fromYaml);
        Assert.Equal(fromYaml, fromJson);
        Assert.Equal("east", fromYaml.Meta.Cluster);
    }

    [Fact]
    public void Convert_ServiceEntry_CarriesSpecAndStatus()
    {
        var entry = Assert.IsType<ServiceEntry>(KubeObjectConverter.Convert("networking.istio.io/v1/ServiceEntry", Yaml(0), "Kubernetes"));

        Assert.Equal(["db.example.com", "db-ro.example.com"], entry.Hosts);
        Assert.Equal("STATIC", entry.Resolution);
        Assert.Equal(new ServiceEntryPort(5432, "TCP", "tcp-pg", 15432), entry.Ports.Single());
        var endpoint = entry.Endpoints.Single();
        Assert.Equal((uint?)25432, endpoint.PortNamed("tcp-pg"));
        Assert.Equal(("vm", "eu/eu-1", 2u, "db"), (endpoint.Network, endpoint.Locality, endpoint.Weight, endpoint.ServiceAccount));
        Assert.Equal("db", entry.WorkloadSelector?.Get("app"));
        Assert.Equal(new HostAddress("db.example.com", "240.240.0.1"), entry.AllocatedAddresses.Single());
        Assert.Equal("se-1", entry.Meta.Uid);
    }

    [Fact]
    public void Convert_WorkloadEntry_MetadataLabelsWinOverSpecLabels()
    {
        var entry = Assert.IsType<WorkloadEntry>(KubeObjectConverter.Convert("networking.istio.io/v1beta1/WorkloadEntry", Yaml(1), "Kubernetes"));

        Assert.Equal("metadata", entry.Spec.Labels.Get("tier"));
        Assert.Equal("v2", entry.Spec.Labels.Get("version"));
        Assert.Equal("billing", entry.Spec.Labels.Get("app"));
    }

    [Fact]
    public void Convert_Policies_KeepSelectorsRulesAndModes()
    {
        var policy = Assert.IsType<AuthorizationPolicy>(KubeObjectConverter.Convert("security.istio.io/v1/AuthorizationPolicy", Yaml(2), "Kubernetes"));
        Assert.True(policy.HasSelector);
        Assert.False(policy.HasTargetRefs);
        Assert.Equal("DENY", policy.Action);
        Assert.Equal(2, policy.Rules.Count);
        Assert.Equal(["GET"], policy.Rules[0].To.Single().Methods);
        Assert.Equal("source.ip", policy.Rules[0].When.Single().Key);

        var peer = Assert.IsType<PeerAuthentication>(KubeObjectConverter.Convert("security.istio.io/v1beta1/PeerAuthentication", Yaml(3), "Kubernetes"));
        Assert.Equal(MtlsModes.Strict, peer.Mode);
        Assert.Equal([new PortMtls(8081, MtlsModes.Disable), new PortMtls(9090, MtlsModes.Permissive)], peer.PortLevelMtls);
    }

    [Fact]
    public void Convert_Gateway_DefaultsAddressTypeAndKeepsTheListenerSelector()
    {
        var gateway = Assert.IsType<Gateway>(KubeObjectConverter.Convert("gateway.networking.k8s.io/v1/Gateway", Yaml(4), "Kubernetes"));

        Assert.Equal([new GatewayStatusAddress("Hostname", "waypoint.shop.svc.cluster.local"), new GatewayStatusAddress("IPAddress", "10.96.0.9")], gateway.Addresses);
        var routes = gateway.Listeners.Single().AllowedRoutes!;
        Assert.Equal("Selector", routes.From);
        Assert.True(routes.Selector!.Matches(new([new("team", "a"), new("env", "prod")])));
        Assert.False(routes.Selector.Matches(new([new("team", "a"), new("env", "dev")])));
    }

    [Theory]
    [InlineData("networking.istio.io/v1alpha3/ServiceEntry")]
    [InlineData("networking.istio.io/v1beta1/ServiceEntry")]
    public void Convert_OlderApiVersions_AreAccepted(string apiVersionKind) =>
        Assert.IsType<ServiceEntry>(KubeObjectConverter.Convert(apiVersionKind, Yaml(0), "Kubernetes"));

    [Theory]
    [InlineData("apps/v1/Deployment")]
    [InlineData("networking.istio.io/v1/VirtualService")]
    [InlineData("gateway.networking.k8s.io/v1/HTTPRoute")]
    public void Convert_KindNotUsed_ReturnsNull(string apiVersionKind) =>
        Assert.Null(KubeObjectConverter.Convert(apiVersionKind, "apiVersion: x\nkind: y\nmetadata: {name: z}\n", "Kubernetes"));

    [Theory]
    [InlineData("networking.istio.io/v1/ServiceEntry", "{\"metadata\":{\"name\":\"x\"},\"spec\":{\"hosts\":[]}}", "spec.hosts")]
    [InlineData("networking.istio.io/v1/ServiceEntry", "{\"metadata\":{\"name\":\"x\"},\"spec\":{\"hosts\":[\"a\"],\"resolution\":\"MAGIC\"}}", "spec.resolution")]
    [InlineData("networking.istio.io/v1/WorkloadEntry", "{\"metadata\":{\"name\":\"x\"},\"spec\":{\"ports\":{\"http\":70000},\"address\":\"1.2.3.4\"}}", "spec.ports[http]")]
    [InlineData("security.istio.io/v1/PeerAuthentication", "{\"metadata\":{\"name\":\"x\"},\"spec\":{\"portLevelMtls\":{\"0\":{\"mode\":\"STRICT\"}}}}", "spec.portLevelMtls")]
    [InlineData("security.istio.io/v1/AuthorizationPolicy", "{\"metadata\":{\"name\":\"x\"},\"spec\":{\"rules\":[{\"when\":[{\"values\":[\"a\"]}]}]}}", "spec.rules[].when[].key")]
    [InlineData("gateway.networking.k8s.io/v1/Gateway", "{\"metadata\":{\"name\":\"x\"},\"spec\":{\"listeners\":[]}}", "spec.gatewayClassName")]
    [InlineData("discovery.k8s.io/v1/EndpointSlice", "{\"metadata\":{\"name\":\"x\"},\"addressType\":\"IPv4\",\"endpoints\":[{\"addresses\":[]}]}", "endpoints[].addresses")]
    [InlineData("gateway.networking.k8s.io/v1/GatewayClass", "{\"metadata\":{}}", "metadata.name")]
    [InlineData("security.istio.io/v1/AuthorizationPolicy", "{\"metadata\":{\"name\":\"x\"},\"spec\":{\"rules\":\"not-a-list\"}}", "")]
    public void Convert_InvalidObject_ThrowsNamingTheField(string apiVersionKind, string json, string field)
    {
        var error = Assert.Throws<InvalidObjectException>(() => KubeObjectConverter.Convert(apiVersionKind, json, "Kubernetes"));
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    private static string Yaml(int index) => (string)Objects.ElementAt(index)[1];
}
