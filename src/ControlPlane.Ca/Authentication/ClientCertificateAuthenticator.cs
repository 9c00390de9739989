using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ControlPlane.Ambient.Model;
using ControlPlane.Ca.Identity;
using ControlPlane.Ca.Signing;

namespace ControlPlane.Ca.Authentication;

/// <summary>
/// Authenticates a caller by the mesh certificate it presented in the TLS handshake: the certificate
/// must chain to the mesh roots, allow client authentication, and name exactly one SPIFFE id.
/// </summary>
public sealed class ClientCertificateAuthenticator(CaProvider ca, MeshSettings mesh, TimeProvider time) : ICallerAuthenticator
{
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    public string Name => "client certificate";

    public async ValueTask<AuthenticationResult> AuthenticateAsync(CallerCredentials credentials, CancellationToken cancellationToken)
    {
        if (credentials.ClientCertificate is not { } certificate)
        {
            return AuthenticationResult.NotApplicable;
        }
        var authority = await ca.GetAsync(cancellationToken).ConfigureAwait(false);
        if (!Verify(certificate, authority, time.GetUtcNow(), out var failure))
        {
            return AuthenticationResult.Fail(failure);
        }
        var ids = new List<string>();
        try
        {
            foreach (var extension in certificate.Extensions)
            {
                if (extension is X509SubjectAlternativeNameExtension san)
                {
                    ids.AddRange(SubjectUris(san).Where(uri => uri.StartsWith(SpiffeId.Scheme, StringComparison.Ordinal)));
                }
            }
        }
        catch (AsnContentException)
        {
            return AuthenticationResult.Fail("the certificate's subject alternative names are malformed");
        }
        if (ids.Count != 1)
        {
            return AuthenticationResult.Fail($"the certificate names {ids.Count} SPIFFE ids; exactly one is required");
        }
        if (!SpiffeId.TryParse(ids[0], out var id))
        {
            return AuthenticationResult.Fail($"the certificate's SPIFFE id '{ids[0]}' is not of the form spiffe://<trust domain>/ns/<namespace>/sa/<service account>");
        }
        return AuthenticationResult.Success(new CallerIdentity { Id = id, Source = AuthSource.ClientCertificate, Cluster = mesh.ClusterId });
    }

    /// <summary>Checks that a client certificate chains to the mesh roots and may be used for client authentication.</summary>
    public static bool Verify(X509Certificate2 certificate, CertificateAuthority authority, DateTimeOffset now, out string failure)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.CustomTrustStore.AddRange(authority.TrustedRoots);
        chain.ChainPolicy.ExtraStore.AddRange(authority.Intermediates.ToArray());
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuth);
        if (chain.Build(certificate))
        {
            failure = string.Empty;
            return true;
        }
        failure = "the certificate does not verify against the mesh roots: "
            + string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Distinct());
        return false;
    }

    /// <summary>The URIs of a SAN extension (.NET exposes only DNS names and IPs): GeneralName [6] IA5String.</summary>
    public static List<string> SubjectUris(X509Extension san)
    {
        var reader = new AsnReader(san.RawData, AsnEncodingRules.DER).ReadSequence();
        var uriTag = new Asn1Tag(TagClass.ContextSpecific, 6);
        var uris = new List<string>();
        while (reader.HasData)
        {
            if (reader.PeekTag().HasSameClassAndValue(uriTag))
            {
                uris.Add(reader.ReadCharacterString(UniversalTagNumber.IA5String, uriTag));
            }
            else
            {
                reader.ReadEncodedValue();
            }
        }
        return uris;
    }
}
