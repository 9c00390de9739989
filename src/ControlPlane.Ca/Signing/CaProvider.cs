namespace ControlPlane.Ca.Signing;

/// <summary>
/// Holds the mesh CA once it has been loaded or created at start, and its replacement when a plugged-in
/// CA is reloaded. Callers that arrive before the first (a TLS handshake, a CSR) wait for it rather than
/// fail; whoever derives something from the CA (the serving certificate, published roots) waits on
/// <see cref="ReplacedAfter"/> to derive it again.
/// </summary>
public sealed class CaProvider : IDisposable
{
    private readonly TaskCompletionSource<CertificateAuthority> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private TaskCompletionSource _replaced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile CertificateAuthority? _current;

    /// <summary>The CA, or null while it is still being loaded.</summary>
    public CertificateAuthority? Current => _current;

    public Task<CertificateAuthority> GetAsync(CancellationToken cancellationToken) =>
        _current is { } current ? Task.FromResult(current) : _ready.Task.WaitAsync(cancellationToken);

    public void Set(CertificateAuthority authority)
    {
        lock (_gate)
        {
            if (_current is not null || !_ready.TrySetResult(authority))
            {
                throw new InvalidOperationException("the CA is already set");
            }
            _current = authority;
        }
    }

    /// <summary>
    /// Serves <paramref name="authority"/> from now on. The previous one is left to the collector, not
    /// disposed: a signature under way may still be using it.
    /// </summary>
    public void Replace(CertificateAuthority authority)
    {
        TaskCompletionSource replaced;
        lock (_gate)
        {
            if (_current is null)
            {
                throw new InvalidOperationException("the CA is not set yet");
            }
            _current = authority;
            replaced = _replaced;
            _replaced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        replaced.TrySetResult();
    }

    /// <summary>Completes once the CA is no longer <paramref name="seen"/> (at once if it already is not).</summary>
    public Task ReplacedAfter(CertificateAuthority seen)
    {
        lock (_gate)
        {
            return ReferenceEquals(_current, seen) ? _replaced.Task : Task.CompletedTask;
        }
    }

    /// <summary>Start-up failed: waiters get the reason instead of waiting forever.</summary>
    public void Fail(Exception error) => _ready.TrySetException(error);

    public void Dispose() => Current?.Dispose();
}
