namespace ControlPlane.Ambient.Builders;

/// <summary>
/// A port of a Service as workloads resolve it: <see cref="TargetPort"/> 0 when the target is named
/// (<see cref="TargetPortName"/>, Kubernetes Services only).
/// </summary>
public sealed record WorkloadServicePort(uint ServicePort, uint TargetPort, string PortName, string? TargetPortName);
