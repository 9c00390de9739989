namespace ControlPlane.Ambient.Model;

/// <summary>A port of a Kubernetes Service.</summary>
/// <param name="Name">Port name (also used for protocol inference).</param>
/// <param name="Port">Service port.</param>
/// <param name="TargetPort">Numeric target port; 0 when the target is named.</param>
/// <param name="TargetPortName">Named target port, resolved per pod; null when numeric.</param>
/// <param name="Protocol">TCP, UDP or SCTP.</param>
/// <param name="AppProtocol">spec.ports[].appProtocol, if set.</param>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record ServicePort(string Name, int Port, int TargetPort, string? TargetPortName, string Protocol, string? AppProtocol);
