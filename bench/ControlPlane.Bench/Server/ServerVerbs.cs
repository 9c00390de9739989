namespace ControlPlane.Bench.Server;

/// <summary>What the server process answers to.</summary>
public static class ServerVerbs
{
    /// <summary>Process and hub figures; with <see cref="ServerCommand.Collect"/> after a full blocking GC.</summary>
    public const string Stats = "stats";

    /// <summary>Waits until the hub table of <see cref="ServerCommand.TypeUrl"/> holds <see cref="ServerCommand.Count"/> resources.</summary>
    public const string WaitResources = "wait-resources";

    /// <summary>Forgets the sink calls so far: the next <see cref="Stats"/> counts from here.</summary>
    public const string ResetSink = "reset-sink";

    /// <summary>Starts recording per-stage timestamps of marked changes.</summary>
    public const string ArmStages = "arm-stages";

    /// <summary>Returns the recorded stage timestamps.</summary>
    public const string Stages = "stages";

    /// <summary>
    /// Starts the floor server in the server process (so it runs where the xDS server runs), its streams
    /// first sent <see cref="ServerCommand.Count"/> bytes; answers its port.
    /// </summary>
    public const string StartFloor = "start-floor";

    public const string Quit = "quit";
}
