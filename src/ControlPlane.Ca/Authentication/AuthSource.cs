namespace ControlPlane.Ca.Authentication;

/// <summary>How a caller proved who it is.</summary>
public enum AuthSource
{
    /// <summary>A mesh certificate presented in the TLS handshake.</summary>
    ClientCertificate,

    /// <summary>A Kubernetes service account token, checked by TokenReview.</summary>
    KubernetesToken,

    /// <summary>A token listed in the static token file.</summary>
    StaticToken,
}
