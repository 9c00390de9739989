namespace ControlPlane.Ca.Authentication;

/// <summary>
/// Tries the configured authenticators in istiod's order (client certificate, then tokens) and takes the
/// first identity; when none succeeds the failure names each attempt's reason.
/// </summary>
public sealed class CallerAuthenticator(IEnumerable<ICallerAuthenticator> authenticators)
{
    private readonly ICallerAuthenticator[] _authenticators = [.. authenticators];

    /// <summary>The authenticators tried, in order, for logs.</summary>
    public string Names => string.Join(", ", _authenticators.Select(a => a.Name));

    public async ValueTask<AuthenticationResult> AuthenticateAsync(CallerCredentials credentials, CancellationToken cancellationToken)
    {
        List<string>? failures = null;
        foreach (var authenticator in _authenticators)
        {
            var result = await authenticator.AuthenticateAsync(credentials, cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return result;
            }
            if (result.Failure is { } failure)
            {
                (failures ??= []).Add($"{authenticator.Name}: {failure}");
            }
        }
        if (failures is not null)
        {
            return AuthenticationResult.Fail(string.Join("; ", failures));
        }
        return AuthenticationResult.Fail(credentials.BearerToken is null
            ? "the call carries no client certificate and no bearer token"
            : "bearer tokens are not accepted here: there is no token file and no Kubernetes cluster");
    }
}
