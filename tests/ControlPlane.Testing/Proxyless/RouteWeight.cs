namespace ControlPlane.Testing.Proxyless;

/// <summary>One cluster of a weighted route and its share (weights are relative to their sum).</summary>
public sealed record RouteWeight(string Cluster, uint Weight);
