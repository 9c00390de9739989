namespace ControlPlane.Xds.Compatibility;

/// <summary>See <see cref="ResourceVariant"/>.</summary>
public enum ResourceVariantKind
{
    Unchanged,
    Replaced,
    Omitted,
}
