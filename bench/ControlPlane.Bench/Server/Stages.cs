namespace ControlPlane.Bench.Server;

/// <summary>The stages of a change inside the server, in order.</summary>
public static class Stages
{
    /// <summary>The source handed the change to the grains (start of the sink call).</summary>
    public const string Sink = "sink";

    /// <summary>The sink call returned: the grains built and published the change.</summary>
    public const string Grains = "grains";

    /// <summary>The hub committed the resource and told the streams (debounce included).</summary>
    public const string Committed = "committed";
}
