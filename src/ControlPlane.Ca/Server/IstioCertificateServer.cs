using ControlPlane.Ca.Authentication;
using ControlPlane.Ca.Authorization;
using ControlPlane.Ca.Signing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Istio.V1.Auth;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Ca.Server;

/// <summary>
/// <c>istio.v1.auth.IstioCertificateService/CreateCertificate</c>, as istiod answers it: authenticate the
/// caller; honour <c>ImpersonatedIdentity</c> only through node authorization; sign the CSR's key for
/// the caller's (or impersonated) SPIFFE id whatever the CSR asks; answer leaf first, root last.
/// Refusals: <c>Unauthenticated</c> (who the caller is, or may impersonate), <c>InvalidArgument</c>
/// (CSR, lifetime, metadata). Reasons are logged; authentication reasons are not told to the caller.
/// </summary>
public sealed partial class IstioCertificateServer : IstioCertificateService.IstioCertificateServiceBase
{
    public const string ImpersonatedIdentityKey = "ImpersonatedIdentity";
    public const string CertSignerKey = "CertSigner";

    private readonly CaProvider _ca;
    private readonly CallerAuthenticator _authenticator;
    private readonly NodeAuthorizer _nodeAuthorizer;
    private readonly CaMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly CaOptions _options;
    private readonly ILogger<IstioCertificateServer> _logger;

    public IstioCertificateServer(
        CaProvider ca,
        CallerAuthenticator authenticator,
        NodeAuthorizer nodeAuthorizer,
        CaMetrics metrics,
        TimeProvider time,
        IOptions<CaOptions> options,
        ILogger<IstioCertificateServer> logger)
    {
        _ca = ca;
        _authenticator = authenticator;
        _nodeAuthorizer = nodeAuthorizer;
        _metrics = metrics;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    public override async Task<IstioCertificateResponse> CreateCertificate(IstioCertificateRequest request, ServerCallContext context)
    {
        _metrics.RequestReceived();
        var cancellationToken = context.CancellationToken;
        var credentials = CallerCredentials.From(context);
        var authentication = await _authenticator.AuthenticateAsync(credentials, cancellationToken).ConfigureAwait(false);
        if (authentication.Identity is not { } caller)
        {
            _metrics.AuthenticationFailed();
            LogUnauthenticated(credentials.Peer, authentication.Failure ?? "-");
            throw new RpcException(new Status(StatusCode.Unauthenticated, "request authenticate failure"));
        }

        var identity = caller.Id;
        var metadata = request.Metadata?.Fields;
        if (metadata is not null && metadata.TryGetValue(ImpersonatedIdentityKey, out var impersonated))
        {
            var requested = impersonated.KindCase == Value.KindOneofCase.StringValue ? impersonated.StringValue : impersonated.ToString();
            if (requested.Length > 0)
            {
                if (_nodeAuthorizer.Authorize(caller, requested, out var failure) is not { } granted)
                {
                    _metrics.AuthenticationFailed();
                    LogImpersonationRefused(credentials.Peer, caller.ToString(), requested, failure);
                    throw new RpcException(new Status(StatusCode.Unauthenticated, "request impersonation authentication failure"));
                }
                identity = granted;
            }
        }
        if (metadata is not null && metadata.TryGetValue(CertSignerKey, out var signer) && signer.StringValue.Length > 0)
        {
            throw Refuse(credentials.Peer, caller, "CertSigner is not supported: this CA has a single signer");
        }

        if (request.ValidityDuration > (long)_options.MaxCertTtl.TotalSeconds)
        {
            throw Refuse(credentials.Peer, caller, $"requested TTL {request.ValidityDuration}s is greater than the max allowed TTL {(long)_options.MaxCertTtl.TotalSeconds}s");
        }
        var ttl = request.ValidityDuration <= 0 ? _options.DefaultCertTtl : TimeSpan.FromSeconds(request.ValidityDuration);

        System.Security.Cryptography.X509Certificates.PublicKey key;
        try
        {
            key = CsrReader.ReadPublicKey(request.Csr);
        }
        catch (InvalidCsrException ex)
        {
            throw Refuse(credentials.Peer, caller, ex.Message);
        }

        var authority = await _ca.GetAsync(cancellationToken).ConfigureAwait(false);
        var chain = authority.SignWorkload(key, identity, ttl, _time.GetUtcNow());
        _metrics.CertificateIssued();
        LogIssued(identity.Uri, caller.ToString(), ttl);
        var response = new IstioCertificateResponse();
        response.CertChain.AddRange(chain);
        return response;
    }

    private RpcException Refuse(string peer, CallerIdentity caller, string reason)
    {
        _metrics.CsrRefused();
        LogRefused(peer, caller.ToString(), reason);
        return new RpcException(new Status(StatusCode.InvalidArgument, $"CSR signing error ({reason})"));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "CSR from {Peer} refused as unauthenticated: {Reason}")]
    private partial void LogUnauthenticated(string peer, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CSR from {Peer}: {Caller} may not impersonate {Requested}: {Reason}")]
    private partial void LogImpersonationRefused(string peer, string caller, string requested, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CSR from {Peer} ({Caller}) refused: {Reason}")]
    private partial void LogRefused(string peer, string caller, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Issued a certificate for {Identity} to {Caller}, valid {Ttl}")]
    private partial void LogIssued(string identity, string caller, TimeSpan ttl);
}
