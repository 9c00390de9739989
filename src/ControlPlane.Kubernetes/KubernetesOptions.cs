using System.ComponentModel.DataAnnotations;

namespace ControlPlane.Kubernetes;

/// <summary>
/// The Kubernetes source (section "Kubernetes"): how to reach the local cluster and how informers
/// retry. Remote clusters come from Secrets labelled <c>istio/multiCluster=true</c> and use the same
/// retry settings.
/// </summary>
public sealed class KubernetesOptions : IValidatableObject
{
    public const string Section = "Kubernetes";

    /// <summary>Kubeconfig of the local cluster (flag <c>--kubeconfig</c>). Empty: in-cluster config when available.</summary>
    public string KubeConfig { get; set; } = string.Empty;

    /// <summary>Context of <see cref="KubeConfig"/> to use; empty = its current-context.</summary>
    public string Context { get; set; } = string.Empty;

    /// <summary>Use the pod's service account when running in a cluster without <see cref="KubeConfig"/> (istiod's behaviour).</summary>
    public bool InClusterConfig { get; set; } = true;

    /// <summary>First retry delay after an API error; doubles per failure (with jitter) up to <see cref="MaxBackoffMilliseconds"/>.</summary>
    [Range(1, 600_000)]
    public int InitialBackoffMilliseconds { get; set; } = 250;

    [Range(1, 3_600_000)]
    public int MaxBackoffMilliseconds { get; set; } = 30_000;

    /// <summary>How often a resource whose CRD is not installed is looked for again.</summary>
    [Range(1, 86_400)]
    public int NotInstalledRetrySeconds { get; set; } = 60;

    /// <summary>Server-side watch timeout; each watch asks for a random value between this and twice it, as client-go does.</summary>
    [Range(1, 3_600)]
    public int WatchTimeoutSeconds { get; set; } = 300;

    /// <summary>Timeout of a list request and of connecting to an API server.</summary>
    [Range(1, 3_600)]
    public int RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>Objects per page of an informer's list (client-go's reflector: 500); 0 lists in one request.</summary>
    [Range(0, 100_000)]
    public int ListPageSize { get; set; } = 500;

    /// <summary>Most watch events delivered to the grains in one batch.</summary>
    [Range(1, 100_000)]
    public int MaxBatchSize { get; set; } = 500;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxBackoffMilliseconds < InitialBackoffMilliseconds)
        {
            yield return new ValidationResult(
                $"{nameof(MaxBackoffMilliseconds)} ({MaxBackoffMilliseconds}) must not be below {nameof(InitialBackoffMilliseconds)} ({InitialBackoffMilliseconds})",
                [nameof(MaxBackoffMilliseconds)]);
        }
    }
}
