using ControlPlane.Ca.Signing;

namespace ControlPlane.Ca.Storage;

/// <summary>Where the mesh CA's material comes from: a plugged-in CA, or a self-signed root kept in a directory or a Secret.</summary>
public interface IRootStore
{
    /// <summary>Loads the CA material, creating a self-signed root when the store has none yet.</summary>
    Task<CaKeyMaterial> LoadAsync(CancellationToken cancellationToken);
}
