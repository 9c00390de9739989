namespace ControlPlane.Ca.Authorization;

/// <summary>What node authorization needs of a pod.</summary>
public sealed record IndexedPod(string Uid, string NodeName, string ServiceAccount, string Phase)
{
    public bool Failed => Phase == "Failed";
}
