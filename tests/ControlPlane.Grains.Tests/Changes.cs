using ControlPlane.Ambient.Model;
using ControlPlane.Kubernetes.Manifests;

namespace ControlPlane.Grains.Tests;

/// <summary>Object changes written as Kubernetes YAML, as a source would deliver them.</summary>
public static class Changes
{
    public static IReadOnlyList<ObjectChange> Upsert(string yaml)
    {
        var documents = ManifestReader.Read("test.yaml", yaml, "Kubernetes");
        var bad = documents.FirstOrDefault(d => d.Error is not null);
        Assert.True(bad is null, bad?.Error);
        return [.. documents.Select(d => ObjectChange.Upsert(d.Object!))];
    }

    public static IReadOnlyList<ObjectChange> Delete(string kind, string ns, string name) =>
        [ObjectChange.Delete(new ObjectKey("Kubernetes", kind, ns, name))];

    public static string Pod(string ns, string name, string ip, string labels = "app: web", string node = "node-a") => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          namespace: {ns}
          labels:
            {labels}
        spec:
          nodeName: {node}
        status:
          phase: Running
          podIP: {ip}
          conditions:
          - type: Ready
            status: "True"
        """;

    public static string Service(string ns, string name, string ip, string selector = "app: web", string labels = "{}", int port = 80) => $"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {name}
          namespace: {ns}
          labels: {labels}
        spec:
          selector:
            {selector}
          clusterIP: {ip}
          ports:
          - name: http
            port: {port}
            targetPort: 8080
        """;

    public static string Node(string name, string zone) => $"""
        apiVersion: v1
        kind: Node
        metadata:
          name: {name}
          labels:
            topology.kubernetes.io/region: region-1
            topology.kubernetes.io/zone: {zone}
        """;

    public static string Namespace(string name, string labels = "{}") => $"""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: {name}
          labels: {labels}
        """;

    /// <summary>A workload-selector AuthorizationPolicy (ALLOW all) selecting <paramref name="selector"/>.</summary>
    public static string Policy(string ns, string name, string selector = "app: web", string action = "ALLOW") => $$"""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: {{name}}
          namespace: {{ns}}
        spec:
          action: {{action}}
          selector:
            matchLabels:
              {{selector}}
          rules:
          - {}
        """;

    public static string PeerAuthentication(string ns, string name, string mode) => $"""
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          mtls:
            mode: {mode}
        """;

    /// <summary>A waypoint Gateway; ready (with a status hostname) or not, accepting bindings from any namespace.</summary>
    public static string Waypoint(string ns, string name, bool ready, string waypointFor = "service") => $"""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: {name}
          namespace: {ns}
          labels:
            istio.io/waypoint-for: {waypointFor}
        spec:
          gatewayClassName: istio-waypoint
          listeners:
          - name: mesh
            port: 15008
            protocol: HBONE
            allowedRoutes:
              namespaces:
                from: All
        status:
          addresses: {(ready ? $"[{{type: Hostname, value: {name}.{ns}.svc.cluster.local}}]" : "[]")}
        """;

    public static string Join(params string[] documents) => string.Join("\n---\n", documents);
}
