namespace ControlPlane.Xds.Resources;

/// <summary>Identifies one resource table: a type URL within a scope ("" = mesh-wide).</summary>
public readonly record struct TableKey(string TypeUrl, string Scope)
{
    public static TableKey Global(string typeUrl) => new(typeUrl, string.Empty);

    public override string ToString() => Scope.Length == 0 ? TypeUrl : $"{TypeUrl}@{Scope}";
}
