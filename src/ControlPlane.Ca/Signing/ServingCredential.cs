using System.Security.Cryptography.X509Certificates;

namespace ControlPlane.Ca.Signing;

/// <summary>A TLS server certificate with its private key, and the intermediates to send with it.</summary>
public sealed record ServingCredential(X509Certificate2 Certificate, X509Certificate2Collection Intermediates);
