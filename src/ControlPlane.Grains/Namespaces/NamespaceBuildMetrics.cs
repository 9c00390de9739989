namespace ControlPlane.Grains.Namespaces;

/// <summary>
/// How much building the namespace grains of this silo do: how incremental the model is, as an operator
/// sees it on <c>/metrics</c> (one pod change should build one object).
/// </summary>
public sealed class NamespaceBuildMetrics
{
    private long _rebuilds;
    private long _objectsBuilt;

    /// <summary>Rebuilds that built at least one object.</summary>
    public long Rebuilds => Interlocked.Read(ref _rebuilds);

    /// <summary>Objects (and static policies) whose resources were built, over all rebuilds.</summary>
    public long ObjectsBuilt => Interlocked.Read(ref _objectsBuilt);

    internal void Built(int objects)
    {
        Interlocked.Increment(ref _rebuilds);
        Interlocked.Add(ref _objectsBuilt, objects);
    }
}
