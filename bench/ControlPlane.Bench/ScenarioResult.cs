namespace ControlPlane.Bench;

/// <summary>
/// What a scenario measured: named figures (in the order they were added), the targets they are held
/// against, and a one-line summary for humans.
/// </summary>
public sealed class ScenarioResult(string scenario, string description, BenchSettings settings)
{
    public string Scenario { get; } = scenario;

    public string Description { get; } = description;

    public bool Quick { get; } = settings.Quick;

    public DateTimeOffset At { get; } = DateTimeOffset.UtcNow;

    /// <summary>Load averages (1, 5, 15 min) when the scenario started: figures on a busy machine are noisy.</summary>
    public double[] LoadAtStart { get; } = MachineLoad.Read();

    public string Summary { get; set; } = string.Empty;

    public List<KeyValuePair<string, object>> Figures { get; } = [];

    public List<TargetCheck> Targets { get; } = [];

    public ScenarioResult Add(string name, object value)
    {
        Figures.Add(new(name, value));
        return this;
    }

    /// <summary>Records a latency summary as <c>name_p50_ms</c>, <c>name_p99_ms</c>, <c>name_max_ms</c>, <c>name_samples</c>.</summary>
    public ScenarioResult Add(string name, LatencySummary latency)
    {
        Add($"{name}_p50_ms", latency.P50);
        Add($"{name}_p99_ms", latency.P99);
        Add($"{name}_max_ms", latency.Max);
        return Add($"{name}_samples", latency.Count);
    }

    public ScenarioResult Target(string name, double measured, double limit, bool lowerIsBetter = true)
    {
        Targets.Add(new TargetCheck(name, measured, limit, lowerIsBetter));
        return this;
    }
}
