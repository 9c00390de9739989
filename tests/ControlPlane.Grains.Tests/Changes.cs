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

    public static string Service(string ns, string name, string ip, string selector = "app: web") => $"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          selector:
            {selector}
          clusterIP: {ip}
          ports:
          - name: http
            port: 80
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

    public static string Join(params string[] documents) => string.Join("\n---\n", documents);
}
