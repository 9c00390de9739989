using System.ComponentModel.DataAnnotations;

namespace ControlPlane.Ca;

/// <summary>
/// The Istio CA and the secure port (section "Ca"). Defaults are istiod's: port 15012, plugged-in CA
/// certificates from <c>/etc/cacerts</c> when present, certificates valid 24 hours and at most 90 days,
/// tokens for the audience <c>istio-ca</c>, and ztunnel's service account as the trusted node account.
/// </summary>
public sealed class CaOptions
{
    public const string Section = "Ca";

    /// <summary>TLS port serving xDS and the CA (istiod: 15012). 0 disables the port and the CA.</summary>
    [Range(0, 65535)]
    public int SecurePort { get; set; } = 15012;

    /// <summary>
    /// Directory of a plugged-in CA (istiod's <c>cacerts</c>: <c>ca-cert.pem</c>, <c>ca-key.pem</c>,
    /// <c>root-cert.pem</c>, <c>cert-chain.pem</c>). Used when <c>ca-key.pem</c> exists there.
    /// </summary>
    public string CaCertsDirectory { get; set; } = "/etc/cacerts";

    /// <summary>
    /// Where the self-signed root is kept when there is no plugged-in CA and no Kubernetes cluster (in
    /// Kubernetes it is the Secret <c>istio-ca-secret</c>). Created on first start.
    /// </summary>
    [Required]
    public string SelfSignedDirectory { get; set; } = DefaultSelfSignedDirectory();

    /// <summary>Lifetime of a generated self-signed root (istiod: 10 years).</summary>
    public TimeSpan SelfSignedRootTtl { get; set; } = TimeSpan.FromDays(3650);

    /// <summary>Lifetime of a workload certificate when the request asks for none (istiod <c>DEFAULT_WORKLOAD_CERT_TTL</c>).</summary>
    public TimeSpan DefaultCertTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Longest lifetime a request may ask for; longer requests are refused (istiod <c>MAX_WORKLOAD_CERT_TTL</c>).</summary>
    public TimeSpan MaxCertTtl { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Lifetime of the secure port's own certificate; it is renewed at half of it.</summary>
    public TimeSpan ServingCertTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Extra DNS names of the serving certificate, comma separated (istiod <c>ISTIOD_CUSTOM_HOST</c>).</summary>
    public string ServingCertSans { get; set; } = string.Empty;

    /// <summary>Audiences a Kubernetes token must be bound to, comma separated (istiod <c>TOKEN_AUDIENCES</c>).</summary>
    [Required]
    public string TokenAudiences { get; set; } = "istio-ca";

    /// <summary>
    /// Accounts (<c>namespace/serviceaccount</c>, comma separated) allowed to request certificates for
    /// workloads on their node (istiod <c>CA_TRUSTED_NODE_ACCOUNTS</c>). Empty: no impersonation.
    /// </summary>
    public string TrustedNodeAccounts { get; set; } = "istio-system/ztunnel";

    /// <summary>Static token file (see README): tokens mapped to identities, for demos and tests. Empty: none.</summary>
    public string TokenFile { get; set; } = string.Empty;

    /// <summary>Where the root certificate is written (PEM) for proxies outside Kubernetes. Empty: not written.</summary>
    public string RootCertFile { get; set; } = string.Empty;

    /// <summary>Splits a comma-separated option into trimmed, non-empty items.</summary>
    public static IReadOnlyList<string> SplitList(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string DefaultSelfSignedDirectory() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "controlplane", "ca");
}
