namespace ControlPlane.Grains.Tests;

/// <summary>An in-process Orleans cluster of two silos, each with its own xDS hub, as replicas run.</summary>
public sealed class TwoSiloCluster() : SiloCluster(2);
