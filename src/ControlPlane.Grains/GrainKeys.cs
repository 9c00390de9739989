namespace ControlPlane.Grains;

/// <summary>Grain keys, built in one place.</summary>
public static class GrainKeys
{
    /// <summary>The single mesh grain.</summary>
    public const long Mesh = 0;

    /// <summary>The single distribution grain.</summary>
    public const long Distribution = 0;

    /// <summary>A namespace grain is keyed by the namespace name (all clusters share it).</summary>
    public static string Namespace(string name) => name;
}
