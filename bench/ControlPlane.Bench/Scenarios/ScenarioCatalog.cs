namespace ControlPlane.Bench.Scenarios;

/// <summary>Every scenario, in the order <c>make bench</c> runs them.</summary>
public static class ScenarioCatalog
{
    public static IReadOnlyList<IScenario> All { get; } =
    [
        new IndexScenario(),
        new InitialSyncScenario(),
        new ReconnectScenario(),
        new FanoutScenario(),
        new ChurnScenario(MeshSource.ConfigDirectory),
        new ChurnScenario(MeshSource.KubeApi),
        new XdsInitialSyncScenario(),
        new XdsFanoutScenario(),
        new CaSigningScenario(),
    ];
}
