using ControlPlane.Ambient.Model;
using ControlPlane.Ca.Authentication;
using ControlPlane.Ca.Signing;
using ControlPlane.Ca.Storage;
using ControlPlane.Kubernetes.Clusters;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Ca;

/// <summary>
/// Loads the mesh CA at start, choosing its root of trust as istiod does: a plugged-in CA when the
/// cacerts directory holds a key; otherwise a self-signed root, kept in <c>istio-ca-secret</c> when
/// running against Kubernetes and in a directory when not. Start-up fails with the reason when the
/// material is missing, unreadable or inconsistent (and, since it takes the authenticators, when the
/// token file is). A plugged-in CA is then watched and reloaded when its files change.
/// </summary>
public sealed partial class CaBootstrapper(
    CaProvider provider,
    CallerAuthenticator authenticator,
    IOptions<CaOptions> options,
    MeshSettings mesh,
    TimeProvider time,
    IEnumerable<IClusterClients> clusters,
    ILoggerFactory loggers,
    ILogger<CaBootstrapper> logger) : IHostedService
{
    private PluggedInCaWatcher? _watcher;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        LogAuthenticators(authenticator.Names);
        IRootStore store;
        PluggedInCaStore? pluggedIn = null;
        if (PluggedInCaStore.IsPresent(settings.CaCertsDirectory))
        {
            store = pluggedIn = new PluggedInCaStore(settings.CaCertsDirectory, time);
        }
        else if (clusters.FirstOrDefault() is { } kubernetes)
        {
            store = new SelfSignedSecretStore(kubernetes.Local, mesh.RootNamespace, mesh.TrustDomain, settings.SelfSignedRootTtl, time);
        }
        else
        {
            store = new SelfSignedDirectoryStore(settings.SelfSignedDirectory, mesh.TrustDomain, settings.SelfSignedRootTtl, time);
        }
        try
        {
            var material = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
            var authority = new CertificateAuthority(material);
            provider.Set(authority);
            LogLoaded(authority.Source, authority.TrustedRoots.Count, authority.NotAfter);
            if (pluggedIn is not null)
            {
                _watcher = new PluggedInCaWatcher(settings.CaCertsDirectory, pluggedIn, provider, time, loggers.CreateLogger<PluggedInCaWatcher>());
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Security.Cryptography.CryptographicException)
        {
            LogFailed(ex.Message);
            provider.Fail(ex);
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_watcher is not null)
        {
            await _watcher.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mesh CA loaded: {Source}, {Roots} trusted root(s), signing certificate valid until {NotAfter:O}")]
    private partial void LogLoaded(string source, int roots, DateTimeOffset notAfter);

    [LoggerMessage(Level = LogLevel.Information, Message = "CA callers are authenticated by: {Authenticators}")]
    private partial void LogAuthenticators(string authenticators);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Mesh CA cannot start: {Reason}")]
    private partial void LogFailed(string reason);
}
