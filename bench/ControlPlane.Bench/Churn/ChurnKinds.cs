namespace ControlPlane.Bench.Churn;

/// <summary>Names of the kinds of change, as results report them.</summary>
public static class ChurnKinds
{
    public const string PodUpdate = "pod-update";
    public const string PodCreate = "pod-create";
    public const string PodDelete = "pod-delete";
    public const string ServiceUpdate = "service-update";
    public const string PolicyUpdate = "policy-update";
}
