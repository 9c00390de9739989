using System.Text;

namespace ControlPlane.Testing.Kubernetes;

/// <summary>
/// The Secret <c>istioctl create-remote-secret</c> writes: labelled <c>istio/multiCluster=true</c>, one data
/// key per cluster id holding that cluster's kubeconfig.
/// </summary>
public static class RemoteClusterSecret
{
    public static string Yaml(string name, string ns, params (string ClusterId, string Kubeconfig)[] clusters)
    {
        var data = new StringBuilder();
        foreach (var (id, kubeconfig) in clusters)
        {
            data.Append("\n  ").Append(id).Append(": ").Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(kubeconfig)));
        }
        return $"""
            apiVersion: v1
            kind: Secret
            metadata:
              name: {name}
              namespace: {ns}
              labels:
                istio/multiCluster: "true"
            data:{(clusters.Length == 0 ? " {}" : data.ToString())}
            """;
    }
}
