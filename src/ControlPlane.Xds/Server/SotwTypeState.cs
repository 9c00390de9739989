using ControlPlane.Xds.Hub;
using ControlPlane.Xds.Resources;

namespace ControlPlane.Xds.Server;

/// <summary>State-of-the-world state of one type: whether the subscribed set moved, and the version of the set last sent.</summary>
internal sealed class SotwTypeState(string typeUrl, ResourceTable table) : TypeState(typeUrl, table)
{
    public string? SentVersionInfo { get; set; }

    /// <summary>
    /// The stream's requests for this type have all been empty, starting with the first (the legacy
    /// wildcard of the xDS spec); cleared for good by the first request that names anything.
    /// </summary>
    public bool LegacyWildcard { get; set; }

    /// <summary>A committed change touched the subscribed set since the last response.</summary>
    public bool Changed { get; set; }

    protected override bool HasChanges => Changed;

    public override bool SendsWholeTable => Wildcard;

    public override bool Notify(TableChange change)
    {
        if (Changed)
        {
            return false;
        }
        if (Wildcard)
        {
            Changed = true;
            return true;
        }
        foreach (var name in change.Names)
        {
            if (Names.Contains(name))
            {
                Changed = true;
                return true;
            }
        }
        return false;
    }
}
