using ControlPlane.Kubernetes.Conversion;
using ControlPlane.Testing.Kubernetes;

namespace ControlPlane.Kubernetes.Tests.Conversion;

public sealed class KubeObjectConverterTests
{
    public static TheoryData<string, string> Objects => new()
    {
        { "v1/Pod", """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web-7d9c-x2
              namespace: shop
              labels: {app: web, "istio.io/dataplane-mode": ambient}
              annotations: {ambient.istio.io/redirection: enabled, note: "a \"quoted\" <value> & more"}
              creationTimestamp: "2026-01-02T03:04:05Z"
              ownerReferences:
              - {apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9c, uid: u1, controller: true}
            spec:
              nodeName: node-a
              serviceAccountName: web
              hostNetwork: false
              containers:
              - name: app
                ports:
                - {name: http, containerPort: 8080, protocol: TCP}
              initContainers:
              - name: sidecar
                restartPolicy: Always
                ports:
                - {name: metrics, containerPort: 9090}
            status:
              phase: Running
              podIP: 10.0.0.1
              podIPs: [{ip: 10.0.0.1}, {ip: "fd00::1"}]
              conditions:
              - {type: Ready, status: "True"}
            """ },
        { "v1/Service", """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec:
              selector: {app: web}
              clusterIP: 10.96.0.10
              clusterIPs: [10.96.0.10]
              ipFamilies: [IPv4]
              internalTrafficPolicy: Cluster
              ports:
              - {name: http, port: 80, targetPort: 8080, protocol: TCP, appProtocol: http}
              - {name: grpc, port: 9000, targetPort: grpc}
            """ },
        { "v1/Namespace", """
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop, labels: {istio.io/dataplane-mode: ambient}}
            """ },
        { "v1/Node", """
            apiVersion: v1
            kind: Node
            metadata: {name: node-a, labels: {topology.kubernetes.io/region: r1, topology.kubernetes.io/zone: z1}}
            """ },
    };

    [Theory]
    [MemberData(nameof(Objects))]
    public void Convert_CompactJson_GivesTheSameRecordAsYaml(string apiVersionKind, string yaml)
    {
        // What the informers pass: the object's JSON as the API server sends it (compact, escaped).
        var json = YamlToJson.Document(yaml).ToJsonString();

        var fromYaml = KubeObjectConverter.Convert(apiVersionKind, yaml, "c1");
        var fromJson = KubeObjectConverter.Convert(apiVersionKind, json, "c1");

        Assert.NotNull(fromYaml);
        Assert.Equal(fromYaml, fromJson);
    }

    [Fact]
    public void Convert_InvalidJsonObject_ThrowsInvalidObject()
    {
        var json = YamlToJson.Document("""
            apiVersion: v1
            kind: Pod
            metadata: {name: bad, namespace: shop}
            status: {podIP: not-an-ip}
            """).ToJsonString();

        Assert.Throws<InvalidObjectException>(() => KubeObjectConverter.Convert("v1/Pod", json, "c1"));
    }
}
