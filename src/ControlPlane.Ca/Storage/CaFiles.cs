namespace ControlPlane.Ca.Storage;

/// <summary>istiod's names for CA material, in the cacerts directory and in <c>istio-ca-secret</c>.</summary>
public static class CaFiles
{
    public const string CaCert = "ca-cert.pem";
    public const string CaKey = "ca-key.pem";
    public const string CertChain = "cert-chain.pem";
    public const string RootCert = "root-cert.pem";

    /// <summary>Written empty into <c>istio-ca-secret</c>, as istiod does.</summary>
    public const string Key = "key.pem";

    /// <summary>The Secret holding a self-signed root in Kubernetes.</summary>
    public const string SelfSignedSecretName = "istio-ca-secret";

    /// <summary>Type istiod gives that Secret.</summary>
    public const string SelfSignedSecretType = "istio.io/ca-root";
}
