using System.Globalization;
using System.Text;
using ControlPlane.Bench.Churn;

namespace ControlPlane.Bench.Mesh;

/// <summary>
/// Kubernetes YAML of generated objects, shaped like what a cluster holds for a Deployment's pods:
/// labels (app, version, pod-template-hash), a ReplicaSet owner reference, named container ports that
/// the Service's named target port resolves through, node, service account, IPs and Ready status; and
/// AuthorizationPolicies as namespaces commonly have them.
/// Values are plain tokens, so no YAML quoting is needed beyond the fixed strings.
/// </summary>
public static class ManifestYaml
{
    public static string Namespace(string name) =>
        $"""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: {name}
          labels:
            istio.io/dataplane-mode: ambient
            kubernetes.io/metadata.name: {name}

        """;

    public static string Node(int index)
    {
        var (name, region, zone) = MeshGenerator.Node(index);
        return $"""
            apiVersion: v1
            kind: Node
            metadata:
              name: {name}
              labels:
                kubernetes.io/hostname: {name}
                kubernetes.io/os: linux
                topology.kubernetes.io/region: {region}
                topology.kubernetes.io/zone: {zone}

            """;
    }

    /// <summary>
    /// A Service selecting its Deployment's pods: <c>http</c> 80 → named target port <c>http</c>, <c>grpc</c>
    /// 9090 → 9090, or the churn marker's port when <paramref name="marker"/> is set.
    /// </summary>
    public static string Service(ServicePlan service, long? marker = null)
    {
        var grpcTarget = marker is { } m ? ChangeMarker.TargetPort(m) : (int)ChangeMarker.MarkerServicePort;
        return string.Create(CultureInfo.InvariantCulture, $"""
            apiVersion: v1
            kind: Service
            metadata:
              name: {service.Name}
              namespace: {service.Namespace}
              labels:
                app: {service.Name}
            spec:
              type: ClusterIP
              selector:
                app: {service.Name}
              clusterIP: {service.ClusterIp}
              clusterIPs:
              - {service.ClusterIp}
              ipFamilies:
              - IPv4
              ports:
              - name: http
                port: 80
                protocol: TCP
                targetPort: http
              - name: grpc
                port: {ChangeMarker.MarkerServicePort}
                protocol: TCP
                targetPort: {grpcTarget}

            """);
    }

    /// <summary>A running, ready pod of <paramref name="pod"/>'s Deployment; <paramref name="marker"/> sets its canonical revision.</summary>
    public static string Pod(PodPlan pod, long? marker = null)
    {
        var service = pod.Service;
        var revision = marker is { } m ? $"\n    {ChangeMarker.RevisionLabel}: {ChangeMarker.Revision(m)}" : string.Empty;
        return $"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: {pod.Name}
              namespace: {pod.Namespace}
              labels:
                app: {service.Name}
                version: v1
                pod-template-hash: {service.TemplateHash}{revision}
              annotations:
                ambient.istio.io/redirection: enabled
              ownerReferences:
              - apiVersion: apps/v1
                kind: ReplicaSet
                name: {service.Name}-{service.TemplateHash}
                uid: 00000000-0000-4000-8000-{pod.Service.Index:x12}
                controller: true
                blockOwnerDeletion: true
            spec:
              nodeName: {pod.Node}
              serviceAccountName: {service.Name}
              containers:
              - name: app
                image: registry.example/{service.Name}:1.0
                ports:
                - name: http
                  containerPort: 8080
                  protocol: TCP
                - name: grpc
                  containerPort: 9090
                  protocol: TCP
            status:
              phase: Running
              podIP: {pod.Ip}
              podIPs:
              - ip: {pod.Ip}
              conditions:
              - type: Ready
                status: "True"

            """;
    }

    /// <summary>
    /// A workload-selector ALLOW policy: <paramref name="policy"/>'s target pods accept its caller's service
    /// account on port 8080, and on the marker's port when <paramref name="marker"/> is set.
    /// </summary>
    public static string Policy(PolicyPlan policy, long? marker = null)
    {
        var markerPort = marker is { } m ? $", \"{ChangeMarker.TargetPort(m)}\"" : string.Empty;
        return $"""
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata:
              name: {policy.Name}
              namespace: {policy.Namespace}
            spec:
              selector:
                matchLabels:
                  app: {policy.Target.Name}
              action: ALLOW
              rules:
              - from:
                - source:
                    principals: ["cluster.local/ns/{policy.Namespace}/sa/{policy.Caller.Name}"]
                to:
                - operation:
                    ports: ["8080"{markerPort}]

            """;
    }

    /// <summary>A namespace-wide DENY policy refusing callers from a namespace named <c>untrusted</c>.</summary>
    public static string DenyPolicy(string ns) =>
        $"""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: deny-untrusted
          namespace: {ns}
        spec:
          action: DENY
          rules:
          - from:
            - source:
                namespaces: ["untrusted"]

        """;

    /// <summary>Joins documents into one multi-document YAML text.</summary>
    public static void Append(StringBuilder text, string document)
    {
        if (text.Length > 0)
        {
            text.Append("---\n");
        }
        text.Append(document);
    }
}
