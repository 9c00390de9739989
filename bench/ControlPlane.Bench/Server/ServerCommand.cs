namespace ControlPlane.Bench.Server;

/// <summary>A request from the benchmark to its server process (one JSON line on the server's stdin).</summary>
public sealed record ServerCommand(int Id, string Verb, bool Collect = false, string? TypeUrl = null, int Count = 0, int TimeoutMs = 0);
