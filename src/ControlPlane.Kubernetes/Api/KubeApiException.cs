namespace ControlPlane.Kubernetes.Api;

/// <summary>An API server refused a request; carries its HTTP code and the <c>Status</c> reason and message.</summary>
public sealed class KubeApiException(int statusCode, string reason, string message)
    : Exception($"{statusCode} {reason}: {message}")
{
    public int StatusCode { get; } = statusCode;

    /// <summary>The Status reason (e.g. NotFound, Expired, Forbidden, Unauthorized).</summary>
    public string Reason { get; } = reason;

    /// <summary>The collection does not exist on this server (e.g. its CRD is not installed).</summary>
    public bool IsNotFound => StatusCode == 404;

    /// <summary>The requested resourceVersion is too old (410 Gone / Expired): relist.</summary>
    public bool IsExpired => StatusCode == 410;
}
