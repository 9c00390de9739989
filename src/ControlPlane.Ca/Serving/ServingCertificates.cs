using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ControlPlane.Ambient.Model;
using ControlPlane.Ca.Signing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Ca.Serving;

/// <summary>
/// The secure port's own certificate, issued by the mesh CA for <c>istiod.&lt;system namespace&gt;.svc</c>
/// (the name ztunnel checks) and the configured extra names, and renewed at half its lifetime or at once
/// when the CA is replaced (a reloaded plugged-in CA). A renewal only changes what new TLS handshakes get;
/// open connections and their streams carry on.
/// </summary>
public sealed partial class ServingCertificates : BackgroundService
{
    private readonly CaProvider _ca;
    private readonly CaOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ServingCertificates> _logger;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _rotation = new(1, 1);
    private volatile Issued? _current;

    public ServingCertificates(CaProvider ca, MeshSettings mesh, IOptions<CaOptions> options, TimeProvider time, ILogger<ServingCertificates> logger)
    {
        _ca = ca;
        _options = options.Value;
        _time = time;
        _logger = logger;
        DnsNames = [$"istiod.{mesh.RootNamespace}.svc", .. CaOptions.SplitList(_options.ServingCertSans)];
    }

    public IReadOnlyList<string> DnsNames { get; }

    /// <summary>The certificate new handshakes get, or null before the first one is issued.</summary>
    public X509Certificate2? Current => _current?.Credential.Certificate;

    /// <summary>The certificate context for a handshake, waiting for the first certificate if need be.</summary>
    public async ValueTask<SslStreamCertificateContext> GetContextAsync(CancellationToken cancellationToken)
    {
        if (_current is { } issued)
        {
            return issued.Context;
        }
        await _ready.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return _current!.Context;
    }

    /// <summary>When a certificate should be replaced: half way through its lifetime.</summary>
    public static DateTimeOffset RenewalTime(X509Certificate2 certificate)
    {
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        return notBefore + ((notAfter - notBefore) / 2);
    }

    /// <summary>Issues a new certificate now and serves it to new handshakes.</summary>
    public async Task RotateAsync(CancellationToken cancellationToken)
    {
        var authority = await _ca.GetAsync(cancellationToken).ConfigureAwait(false);
        await _rotation.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var credential = authority.IssueServingCertificate(DnsNames, _options.ServingCertTtl, _time.GetUtcNow());
            var context = SslStreamCertificateContext.Create(credential.Certificate, credential.Intermediates, offline: true);
            // The previous certificate is left to the collector: connections made with it may still use it.
            _current = new Issued(authority, credential, context);
            _ready.TrySetResult();
            LogIssued(string.Join(", ", DnsNames), credential.Certificate.SerialNumber, credential.Certificate.NotAfter.ToUniversalTime(), RenewalTime(credential.Certificate));
        }
        finally
        {
            _rotation.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var issued = _current;
                var wait = issued is null ? TimeSpan.Zero : RenewalTime(issued.Credential.Certificate) - _time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    // Task.Delay's limit is ~49 days; wake up at least daily and look again.
                    using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    var renewal = Task.Delay(wait < TimeSpan.FromDays(1) ? wait : TimeSpan.FromDays(1), _time, wake.Token);
                    var replaced = _ca.ReplacedAfter(issued!.Authority);
                    await Task.WhenAny(renewal, replaced).ConfigureAwait(false);
                    await wake.CancelAsync().ConfigureAwait(false);
                    stoppingToken.ThrowIfCancellationRequested();
                    if (!replaced.IsCompleted)
                    {
                        continue;
                    }
                    LogCaReplaced();
                }
                try
                {
                    await RotateAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (InvalidOperationException ex)
                {
                    // The CA itself has expired or is failing: keep the current certificate and retry.
                    LogRenewalFailed(ex.Message);
                    await Task.Delay(TimeSpan.FromMinutes(1), _time, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        _rotation.Dispose();
        base.Dispose();
    }

    private sealed record Issued(CertificateAuthority Authority, ServingCredential Credential, SslStreamCertificateContext Context);

    [LoggerMessage(Level = LogLevel.Information, Message = "Secure port certificate for {Names} issued (serial {Serial}), valid until {NotAfter:O}, renewed at {RenewAt:O}")]
    private partial void LogIssued(string names, string serial, DateTime notAfter, DateTimeOffset renewAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "The mesh CA was replaced: issuing a new secure port certificate")]
    private partial void LogCaReplaced();

    [LoggerMessage(Level = LogLevel.Error, Message = "Secure port certificate renewal failed: {Reason}; retrying in a minute")]
    private partial void LogRenewalFailed(string reason);
}
