namespace ControlPlane.Xds.Resources;

/// <summary>
/// Identifies one resource table: a type URL within a scope ("" = mesh-wide), optionally at a
/// compatibility level ("" = as published; see <see cref="Compatibility.IResourceCompatibility"/>).
/// </summary>
public readonly record struct TableKey(string TypeUrl, string Scope, string Level = "")
{
    public static TableKey Global(string typeUrl) => new(typeUrl, string.Empty);

    /// <summary>The published table a variant table is derived from.</summary>
    public TableKey Published => Level.Length == 0 ? this : new TableKey(TypeUrl, Scope);

    public override string ToString() =>
        (Scope.Length == 0 ? TypeUrl : $"{TypeUrl}@{Scope}") + (Level.Length == 0 ? string.Empty : $"#{Level}");
}
