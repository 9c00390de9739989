namespace ControlPlane.Bench.Server;

/// <summary>Resources in one hub table.</summary>
public sealed record TableCount(string TypeUrl, string Scope, int Count);
