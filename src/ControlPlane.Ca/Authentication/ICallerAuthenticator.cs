namespace ControlPlane.Ca.Authentication;

/// <summary>One way of authenticating a caller (istiod's <c>security.Authenticator</c>).</summary>
public interface ICallerAuthenticator
{
    /// <summary>Short name for logs and failure messages.</summary>
    string Name { get; }

    ValueTask<AuthenticationResult> AuthenticateAsync(CallerCredentials credentials, CancellationToken cancellationToken);
}
