namespace ControlPlane.Kubernetes.ConfigDirectory;

/// <summary>The config directory source (section "ConfigDirectory"; flag <c>--config-dir</c>).</summary>
public sealed class ConfigDirectoryOptions
{
    public const string Section = "ConfigDirectory";

    /// <summary>Directory of Kubernetes YAML (<c>*.yaml</c>, <c>*.yml</c>, multi-document), watched. Empty = off.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>Quiet period after a file event before the directory is re-read.</summary>
    public int DebounceMilliseconds { get; set; } = 100;
}
