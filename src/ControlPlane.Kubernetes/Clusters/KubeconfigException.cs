namespace ControlPlane.Kubernetes.Clusters;

/// <summary>A kubeconfig that cannot be used; the message never contains the kubeconfig's content.</summary>
public sealed class KubeconfigException(string message) : Exception(message);
