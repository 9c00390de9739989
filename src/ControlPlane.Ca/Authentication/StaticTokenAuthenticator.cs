using ControlPlane.Ambient.Model;

namespace ControlPlane.Ca.Authentication;

/// <summary>Authenticates bearer tokens listed in the static token file (see <see cref="StaticTokenFile"/>).</summary>
public sealed class StaticTokenAuthenticator(StaticTokenFile file, MeshSettings mesh) : ICallerAuthenticator
{
    public string Name => "static token";

    public ValueTask<AuthenticationResult> AuthenticateAsync(CallerCredentials credentials, CancellationToken cancellationToken)
    {
        if (credentials.BearerToken is not { } token)
        {
            return ValueTask.FromResult(AuthenticationResult.NotApplicable);
        }
        if (file.Find(token) is not { } entry)
        {
            return ValueTask.FromResult(AuthenticationResult.Fail("the token is not in the token file"));
        }
        return ValueTask.FromResult(AuthenticationResult.Success(new CallerIdentity
        {
            Id = entry.Id,
            Source = AuthSource.StaticToken,
            Cluster = mesh.ClusterId,
            PodName = entry.PodName,
            PodUid = entry.PodUid,
        }));
    }
}
