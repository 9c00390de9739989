namespace ControlPlane.Ca.Signing;

/// <summary>
/// Holds the mesh CA once it has been loaded or created at start. Callers that arrive earlier (a TLS
/// handshake, a CSR) wait for it rather than fail.
/// </summary>
public sealed class CaProvider : IDisposable
{
    private readonly TaskCompletionSource<CertificateAuthority> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The CA, or null while it is still being loaded.</summary>
    public CertificateAuthority? Current => _ready.Task.IsCompletedSuccessfully ? _ready.Task.Result : null;

    public Task<CertificateAuthority> GetAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    public void Set(CertificateAuthority authority)
    {
        if (!_ready.TrySetResult(authority))
        {
            throw new InvalidOperationException("the CA is already set");
        }
    }

    /// <summary>Start-up failed: waiters get the reason instead of waiting forever.</summary>
    public void Fail(Exception error) => _ready.TrySetException(error);

    public void Dispose() => Current?.Dispose();
}
