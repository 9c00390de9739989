namespace ControlPlane.Bench;

/// <summary>One benchmark scenario: sets up what it measures, runs it and reports figures and targets.</summary>
public interface IScenario
{
    /// <summary>Name used on the command line and in result file names (e.g. <c>xds-fanout</c>).</summary>
    string Name { get; }

    string Description { get; }

    Task<ScenarioResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken);
}
