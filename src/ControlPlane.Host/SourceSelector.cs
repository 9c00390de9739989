namespace ControlPlane.Host;

/// <summary>
/// Picks the source as istiod picks its client config, with the config directory taking the place of
/// istiod's file-based config:
/// <list type="number">
/// <item><c>--config-dir</c> given → the config directory (with <c>--kubeconfig</c> too: refused, ambiguous);</item>
/// <item><c>--kubeconfig</c> given → Kubernetes with that file;</item>
/// <item>running in a pod (service-account environment and files present) and in-cluster config not
/// disabled (<c>Kubernetes:InClusterConfig=false</c>) → Kubernetes with the in-cluster config;</item>
/// <item>otherwise no source.</item>
/// </list>
/// KUBECONFIG and ~/.kube/config are not read implicitly: a developer's kubeconfig never turns a local
/// run into a cluster-watching one by accident.
/// </summary>
public static class SourceSelector
{
    public static SourceMode Select(string configDirectory, string kubeconfig, bool inClusterAllowed, Func<bool> inClusterAvailable)
    {
        var hasDirectory = !string.IsNullOrWhiteSpace(configDirectory);
        var hasKubeconfig = !string.IsNullOrWhiteSpace(kubeconfig);
        if (hasDirectory && hasKubeconfig)
        {
            throw new ArgumentException("--config-dir and --kubeconfig are exclusive: choose the config directory or a Kubernetes cluster as the source");
        }
        if (hasDirectory)
        {
            return SourceMode.ConfigDirectory;
        }
        if (hasKubeconfig)
        {
            return SourceMode.KubeconfigFile;
        }
        return inClusterAllowed && inClusterAvailable() ? SourceMode.InCluster : SourceMode.None;
    }
}
