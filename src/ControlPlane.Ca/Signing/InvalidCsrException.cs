namespace ControlPlane.Ca.Signing;

/// <summary>A certificate signing request that cannot be signed; the message says why and is safe to return.</summary>
public sealed class InvalidCsrException(string message) : Exception(message);
