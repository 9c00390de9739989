namespace ControlPlane.Ca.Server;

/// <summary>Counters of the CA, rendered by the host's <c>/metrics</c> endpoint under istiod's names.</summary>
public sealed class CaMetrics
{
    private long _requests;
    private long _issued;
    private long _authenticationFailures;
    private long _csrErrors;

    /// <summary>CSRs received (<c>citadel_server_csr_count</c>).</summary>
    public long Requests => Volatile.Read(ref _requests);

    /// <summary>Certificates issued (<c>citadel_server_success_cert_issuance_count</c>).</summary>
    public long Issued => Volatile.Read(ref _issued);

    /// <summary>Calls refused for authentication or impersonation (<c>citadel_server_authentication_failure_count</c>).</summary>
    public long AuthenticationFailures => Volatile.Read(ref _authenticationFailures);

    /// <summary>CSRs refused as invalid (<c>citadel_server_csr_parsing_err_count</c>).</summary>
    public long CsrErrors => Volatile.Read(ref _csrErrors);

    public void RequestReceived() => Interlocked.Increment(ref _requests);

    public void CertificateIssued() => Interlocked.Increment(ref _issued);

    public void AuthenticationFailed() => Interlocked.Increment(ref _authenticationFailures);

    public void CsrRefused() => Interlocked.Increment(ref _csrErrors);
}
