using ControlPlane.Xds.Resources;

namespace ControlPlane.Xds.Server;

/// <summary>State-of-the-world state of one type: the version of the set last sent.</summary>
internal sealed class SotwTypeState(string typeUrl, ResourceTable table) : TypeState(typeUrl, table)
{
    public string? SentVersionInfo { get; set; }
}
