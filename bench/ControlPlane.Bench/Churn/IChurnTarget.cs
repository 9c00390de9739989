namespace ControlPlane.Bench.Churn;

/// <summary>
/// Where the churn generator makes its changes: a source the control plane watches. Each call returns
/// once the change is visible to that source, so the caller can timestamp it.
/// </summary>
public interface IChurnTarget
{
    /// <summary>Name in results (e.g. <c>config-dir</c>).</summary>
    string Name { get; }

    /// <summary>Creates or replaces one object, given as YAML.</summary>
    void Apply(ChurnObject obj, string yaml);

    void Delete(ChurnObject obj);
}
