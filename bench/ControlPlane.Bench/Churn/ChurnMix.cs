namespace ControlPlane.Bench.Churn;

/// <summary>
/// Relative weights of the kinds of change the churn generator makes. The default is a busy cluster's
/// mix: mostly pod label/status updates and scale-ups/downs, some Service and AuthorizationPolicy edits.
/// </summary>
public sealed record ChurnMix(int PodUpdates, int PodCreates, int PodDeletes, int ServiceUpdates, int PolicyUpdates = 0)
{
    public static ChurnMix Default { get; } = new(PodUpdates: 45, PodCreates: 20, PodDeletes: 20, ServiceUpdates: 10, PolicyUpdates: 5);

    public int Total => PodUpdates + PodCreates + PodDeletes + ServiceUpdates + PolicyUpdates;
}
