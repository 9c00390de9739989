using System.Net;
using System.Text;
using ControlPlane.Ca.Signing;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ControlPlane.Ca.Storage;

/// <summary>
/// A self-signed root kept in the Secret <c>istio-ca-secret</c> of the system namespace, as istiod keeps
/// it (same keys and type, so either can take over from the other). Generated when the Secret does not
/// exist; when several replicas start at once, the one whose create wins sets the root for all.
/// </summary>
public sealed class SelfSignedSecretStore(IKubernetes client, string systemNamespace, string trustDomain, TimeSpan rootTtl, TimeProvider time) : IRootStore
{
    public async Task<CaKeyMaterial> LoadAsync(CancellationToken cancellationToken)
    {
        var source = $"self-signed root in Secret {systemNamespace}/{CaFiles.SelfSignedSecretName}";
        var secret = await ReadAsync(source, cancellationToken).ConfigureAwait(false);
        if (secret is null)
        {
            var (certificate, key) = SelfSignedRoot.Generate(trustDomain, rootTtl, time.GetUtcNow());
            var created = new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = CaFiles.SelfSignedSecretName, NamespaceProperty = systemNamespace },
                Type = CaFiles.SelfSignedSecretType,
                Data = new Dictionary<string, byte[]>
                {
                    [CaFiles.CaCert] = Encoding.UTF8.GetBytes(certificate),
                    [CaFiles.CaKey] = Encoding.UTF8.GetBytes(key),
                    [CaFiles.CertChain] = [],
                    [CaFiles.Key] = [],
                    [CaFiles.RootCert] = [],
                },
            };
            try
            {
                secret = await client.CoreV1.CreateNamespacedSecretAsync(created, systemNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
            {
                secret = await ReadAsync(source, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"{source}: the Secret was created by another replica but cannot be read");
            }
            catch (HttpOperationException ex)
            {
                throw new InvalidOperationException($"{source}: creating the Secret failed with HTTP {(int)ex.Response.StatusCode}", ex);
            }
        }
        var data = secret.Data ?? new Dictionary<string, byte[]>();
        string Text(string key) => data.TryGetValue(key, out var bytes) && bytes is not null ? Encoding.UTF8.GetString(bytes) : string.Empty;
        var caCert = Text(CaFiles.CaCert);
        var caKey = Text(CaFiles.CaKey);
        if (caCert.Length == 0 || caKey.Length == 0)
        {
            throw new InvalidOperationException($"{source}: the Secret lacks {CaFiles.CaCert} or {CaFiles.CaKey}");
        }
        // A non-empty root-cert.pem holds further roots to trust (istiod's multi-root rotation).
        var extraRoots = Text(CaFiles.RootCert);
        return CaKeyMaterial.FromPem(caCert, caKey, certChainPem: null, extraRoots.Length == 0 ? null : caCert + extraRoots, source, time.GetUtcNow());
    }

    private async Task<V1Secret?> ReadAsync(string source, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CoreV1.ReadNamespacedSecretAsync(CaFiles.SelfSignedSecretName, systemNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (HttpOperationException ex)
        {
            throw new InvalidOperationException($"{source}: reading the Secret failed with HTTP {(int)ex.Response.StatusCode}", ex);
        }
    }
}
