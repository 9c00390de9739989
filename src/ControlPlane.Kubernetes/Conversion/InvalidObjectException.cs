namespace ControlPlane.Kubernetes.Conversion;

/// <summary>An object that parsed but cannot be used (e.g. no name).</summary>
public sealed class InvalidObjectException(string message) : Exception(message);
