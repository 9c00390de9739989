using System.Text;
using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;

namespace ControlPlane.Kubernetes.Clusters;

/// <summary>
/// Client configurations from the three places istiod takes them: a kubeconfig file (<c>--kubeconfig</c>),
/// the pod's service account (in-cluster), and remote-cluster Secrets. Errors are
/// <see cref="KubeconfigException"/>s whose messages are safe to log.
/// </summary>
public static class Kubeconfigs
{
    /// <summary>The service-account environment and files of a pod are present.</summary>
    public static bool InClusterAvailable() => KubernetesClientConfiguration.IsInCluster();

    public static KubernetesClientConfiguration InCluster()
    {
        try
        {
            return KubernetesClientConfiguration.InClusterConfig();
        }
        catch (Exception ex) when (ex is KubeConfigException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new KubeconfigException($"in-cluster configuration cannot be used: {ex.Message}");
        }
    }

    public static KubernetesClientConfiguration FromFile(string path, string? context)
    {
        if (!File.Exists(path))
        {
            throw new KubeconfigException($"kubeconfig {path} does not exist");
        }
        K8SConfiguration config;
        try
        {
            config = KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(path));
        }
        catch (Exception ex) when (ex is YamlDotNet.Core.YamlException or KubeConfigException or IOException or UnauthorizedAccessException)
        {
            throw new KubeconfigException($"kubeconfig {path} cannot be read: {Reason(ex)}");
        }
        // The local kubeconfig is the operator's own file: exec plugins and file references are theirs to use.
        return Build(config, string.IsNullOrEmpty(context) ? null : context, $"kubeconfig {path}");
    }

    /// <summary>
    /// A kubeconfig from a remote-cluster Secret. As istiod does, anything that would run a program or
    /// read local files on the control plane's machine (exec plugins, auth providers other than oidc,
    /// client certificate/key files) is refused: whoever can write such a Secret must not gain that.
    /// </summary>
    public static KubernetesClientConfiguration FromSecret(string kubeconfig, string clusterId)
    {
        var what = $"the kubeconfig of cluster {clusterId}";
        if (string.IsNullOrWhiteSpace(kubeconfig))
        {
            throw new KubeconfigException($"{what} is empty");
        }
        K8SConfiguration config;
        try
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(kubeconfig));
            config = KubernetesClientConfiguration.LoadKubeConfig(stream);
        }
        catch (Exception ex) when (ex is YamlDotNet.Core.YamlException or KubeConfigException or InvalidOperationException)
        {
            throw new KubeconfigException($"{what} is not a valid kubeconfig: {Reason(ex)}");
        }
        if (config is null)
        {
            throw new KubeconfigException($"{what} is not a valid kubeconfig: it is empty");
        }
        foreach (var user in config.Users ?? [])
        {
            var credentials = user.UserCredentials;
            if (credentials is null)
            {
                continue;
            }
            var refused = credentials.ExternalExecution is not null ? "exec"
                : credentials.AuthProvider is { Name: not "oidc" } provider ? $"auth-provider {provider.Name}"
                : !string.IsNullOrEmpty(credentials.ClientCertificate) ? "client-certificate (a file)"
                : !string.IsNullOrEmpty(credentials.ClientKey) ? "client-key (a file)"
                : null;
            if (refused is not null)
            {
                throw new KubeconfigException($"{what} is not allowed: user {user.Name} uses {refused}");
            }
        }
        return Build(config, null, what);
    }

    private static KubernetesClientConfiguration Build(K8SConfiguration config, string? context, string what)
    {
        Validate(config, context, what);
        try
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigObject(config, context);
        }
        catch (Exception ex) when (ex is KubeConfigException or FormatException or ArgumentException
            or System.Security.Cryptography.CryptographicException or IOException)
        {
            throw new KubeconfigException($"{what} cannot be used: {Reason(ex)}");
        }
    }

    /// <summary>The entries KubernetesClient dereferences, checked first so a gap gets a clear message.</summary>
    private static void Validate(K8SConfiguration config, string? context, string what)
    {
        var name = context ?? config.CurrentContext;
        if (string.IsNullOrEmpty(name))
        {
            throw new KubeconfigException($"{what} has no current-context");
        }
        var details = config.Contexts?.FirstOrDefault(c => c?.Name == name)?.ContextDetails
            ?? throw new KubeconfigException($"{what} has no context {name}");
        if (string.IsNullOrEmpty(details.Cluster))
        {
            throw new KubeconfigException($"{what}: context {name} names no cluster");
        }
        var cluster = config.Clusters?.FirstOrDefault(c => c?.Name == details.Cluster);
        if (string.IsNullOrEmpty(cluster?.ClusterEndpoint?.Server))
        {
            throw new KubeconfigException($"{what}: cluster {details.Cluster} has no server");
        }
        if (!string.IsNullOrEmpty(details.User) && config.Users?.Any(u => u?.Name == details.User) != true)
        {
            throw new KubeconfigException($"{what}: user {details.User} is not defined");
        }
    }

    /// <summary>
    /// A safe reason: KubernetesClient's own kubeconfig messages name contexts, clusters and servers only;
    /// parser and crypto messages are reduced to their kind and position, as they may quote content.
    /// </summary>
    private static string Reason(Exception ex) => ex switch
    {
        KubeConfigException => ex.Message,
        YamlDotNet.Core.YamlException yaml => $"YAML error at line {yaml.Start.Line}, column {yaml.Start.Column}",
        System.Security.Cryptography.CryptographicException => "a certificate or key does not parse",
        FormatException => "a value is not in the expected format (e.g. bad base64)",
        _ => ex.GetType().Name,
    };
}
