using ControlPlane.Ca.Identity;
using ControlPlane.Kubernetes.Clusters;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace ControlPlane.Ca.Authentication;

/// <summary>
/// Authenticates a Kubernetes service account token with a TokenReview against the cluster the caller
/// names in its <c>clusterid</c> header (the local cluster for none or our own id), as istiod does:
/// the token must be bound to one of our audiences (default <c>istio-ca</c>), belong to a service
/// account, and its pod name and UID (bound tokens) are kept for node authorization.
/// </summary>
public sealed class KubernetesTokenAuthenticator : ICallerAuthenticator
{
    private const string ServiceAccountGroup = "system:serviceaccounts";
    private const string UserPrefix = "system:serviceaccount:";
    private const string PodNameExtra = "authentication.kubernetes.io/pod-name";
    private const string PodUidExtra = "authentication.kubernetes.io/pod-uid";

    private readonly IClusterClients _clusters;
    private readonly string _trustDomain;
    private readonly IReadOnlyList<string> _audiences;

    public KubernetesTokenAuthenticator(IClusterClients clusters, Ambient.Model.MeshSettings mesh, IOptions<CaOptions> options)
    {
        _clusters = clusters;
        _trustDomain = mesh.TrustDomain;
        _audiences = CaOptions.SplitList(options.Value.TokenAudiences);
    }

    public string Name => "kubernetes token";

    public async ValueTask<AuthenticationResult> AuthenticateAsync(CallerCredentials credentials, CancellationToken cancellationToken)
    {
        if (credentials.BearerToken is not { } token)
        {
            return AuthenticationResult.NotApplicable;
        }
        var clusterId = credentials.ClusterId.Length == 0 ? _clusters.LocalClusterId : credentials.ClusterId;
        if (_clusters.ForCluster(credentials.ClusterId) is not { } client)
        {
            return AuthenticationResult.Fail($"cluster '{clusterId}' is not known to this control plane");
        }
        V1TokenReview review;
        try
        {
            review = await client.AuthenticationV1.CreateTokenReviewAsync(
                new V1TokenReview { Spec = new V1TokenReviewSpec { Token = token, Audiences = [.. _audiences] } },
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException ex)
        {
            // Only the status: a response body could echo the token.
            return AuthenticationResult.Fail($"TokenReview in cluster '{clusterId}' failed with HTTP {(int)ex.Response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or k8s.Exceptions.KubernetesClientException)
        {
            return AuthenticationResult.Fail($"TokenReview in cluster '{clusterId}' failed: {ex.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return AuthenticationResult.Fail($"TokenReview in cluster '{clusterId}' timed out");
        }
        return Check(review.Status, clusterId);
    }

    private AuthenticationResult Check(V1TokenReviewStatus? status, string clusterId)
    {
        if (status is null)
        {
            return AuthenticationResult.Fail($"TokenReview in cluster '{clusterId}' returned no status");
        }
        if (!string.IsNullOrEmpty(status.Error))
        {
            return AuthenticationResult.Fail($"cluster '{clusterId}' did not authenticate the token: {status.Error}");
        }
        if (status.Authenticated != true)
        {
            return AuthenticationResult.Fail($"cluster '{clusterId}' did not authenticate the token");
        }
        // The API server answers with the audiences the token is valid for; insist on one of ours in
        // case it is a server that ignores the requested audiences.
        if (status.Audiences is not { } granted || !granted.Any(a => _audiences.Contains(a, StringComparer.Ordinal)))
        {
            return AuthenticationResult.Fail($"the token is not bound to the audience {string.Join(" or ", _audiences)}");
        }
        var user = status.User;
        if (user?.Groups is null || !user.Groups.Contains(ServiceAccountGroup, StringComparer.Ordinal))
        {
            return AuthenticationResult.Fail("the token is not a service account token");
        }
        var username = user.Username ?? string.Empty;
        var parts = username.StartsWith(UserPrefix, StringComparison.Ordinal) ? username[UserPrefix.Length..].Split(':') : [];
        if (parts.Length != 2 || !SpiffeId.TryCreate(_trustDomain, parts[0], parts[1], out var id))
        {
            return AuthenticationResult.Fail($"the token's user '{username}' is not system:serviceaccount:<namespace>:<name>");
        }
        return AuthenticationResult.Success(new CallerIdentity
        {
            Id = id,
            Source = AuthSource.KubernetesToken,
            Cluster = clusterId,
            PodName = Single(user.Extra, PodNameExtra),
            PodUid = Single(user.Extra, PodUidExtra),
        });
    }

    private static string Single(IDictionary<string, IList<string>>? extra, string key) =>
        extra is not null && extra.TryGetValue(key, out var values) && values is { Count: 1 } ? values[0] : string.Empty;
}
