namespace ControlPlane.Xds.Server;

/// <summary>A client's rejection of a response: kept as data, never thrown.</summary>
/// <param name="Nonce">The nonce of the rejected response.</param>
/// <param name="VersionInfo">State of the world: the version the client still holds; delta: empty.</param>
/// <param name="Code">The gRPC status code the client put in error_detail.</param>
/// <param name="Message">The client's error message.</param>
/// <param name="At">When the NACK arrived.</param>
public sealed record NackRecord(string Nonce, string VersionInfo, int Code, string Message, DateTimeOffset At);
