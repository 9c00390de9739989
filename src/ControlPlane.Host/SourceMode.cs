namespace ControlPlane.Host;

/// <summary>Where the control plane's objects come from (see <see cref="SourceSelector"/>).</summary>
public enum SourceMode
{
    /// <summary>No source: the xDS server runs with empty configuration.</summary>
    None,

    /// <summary>A directory of manifests (<c>--config-dir</c>).</summary>
    ConfigDirectory,

    /// <summary>Kubernetes informers with a kubeconfig file (<c>--kubeconfig</c>).</summary>
    KubeconfigFile,

    /// <summary>Kubernetes informers with the pod's service account (in-cluster config).</summary>
    InCluster,
}
