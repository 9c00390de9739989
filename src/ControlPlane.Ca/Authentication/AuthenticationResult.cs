namespace ControlPlane.Ca.Authentication;

/// <summary>
/// The outcome of one authenticator: an identity, a failure with a reason for the log, or "not
/// applicable" (the call carries no credential of that kind).
/// </summary>
public readonly record struct AuthenticationResult(CallerIdentity? Identity, string? Failure)
{
    public static AuthenticationResult NotApplicable => default;

    public bool Succeeded => Identity is not null;

    public static AuthenticationResult Success(CallerIdentity identity) => new(identity, null);

    public static AuthenticationResult Fail(string reason) => new(null, reason);
}
