namespace ControlPlane.Host;

/// <summary>
/// Tracks what must be loaded before the control plane reports ready: each source registers a
/// condition and completes it once its initial config is in the hub.
/// </summary>
public sealed class Readiness
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, bool> _conditions = new(StringComparer.Ordinal);

    /// <summary>Adds a condition that is not yet met.</summary>
    public void Register(string condition)
    {
        lock (_gate)
        {
            _conditions.TryAdd(condition, false);
        }
    }

    public void Complete(string condition)
    {
        lock (_gate)
        {
            _conditions[condition] = true;
        }
    }

    /// <summary>Conditions not yet met; empty when ready.</summary>
    public IReadOnlyList<string> Pending()
    {
        lock (_gate)
        {
            return [.. _conditions.Where(c => !c.Value).Select(c => c.Key).Order(StringComparer.Ordinal)];
        }
    }
}
