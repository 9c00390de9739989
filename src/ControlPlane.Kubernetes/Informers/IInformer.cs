using ControlPlane.Kubernetes.Api;

namespace ControlPlane.Kubernetes.Informers;

/// <summary>One resource of one cluster, listed and watched; holds what it delivered so far.</summary>
public interface IInformer
{
    KubeResource Resource { get; }

    /// <summary>Completes when the initial list has been delivered (or the CRD is known not to be installed).</summary>
    Task Synced { get; }

    InformerStatus Status { get; }

    /// <summary>
    /// Lists, then watches until cancelled: resumes dropped watches from the last resourceVersion,
    /// relists on 410 (delivering only the differences), backs off on errors. Never throws but on cancellation.
    /// </summary>
    Task RunAsync(KubeApiClient api, CancellationToken cancellationToken);

    /// <summary>Delivers a delete for every object it holds and forgets them. Not while <see cref="RunAsync"/> runs.</summary>
    Task ForgetAllAsync(CancellationToken cancellationToken);
}
