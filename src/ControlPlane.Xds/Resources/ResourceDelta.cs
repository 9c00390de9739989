namespace ControlPlane.Xds.Resources;

/// <summary>
/// A change to one resource table: resources added or updated, and names removed. Producers (grains,
/// tests) publish these to the <see cref="Hub.XdsHub"/>.
/// </summary>
/// <param name="TypeUrl">The table's type URL.</param>
/// <param name="Scope">The table's scope: empty for mesh-wide config, else e.g. one waypoint's key.</param>
/// <param name="Updated">Resources added or changed (all of <paramref name="TypeUrl"/>).</param>
/// <param name="Removed">Names removed.</param>
public sealed record ResourceDelta(
    string TypeUrl,
    string Scope,
    IReadOnlyList<XdsResource> Updated,
    IReadOnlyList<string> Removed)
{
    public static ResourceDelta Upsert(params XdsResource[] resources) =>
        new(resources[0].TypeUrl, string.Empty, resources, []);

    public static ResourceDelta Remove(string typeUrl, params string[] names) =>
        new(typeUrl, string.Empty, [], names);
}
