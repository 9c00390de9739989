using System.Text;
using ControlPlane.Bench.Mesh;

namespace ControlPlane.Bench.Churn;

/// <summary>
/// Changes objects in a watched config directory, one object per file: the new text is written next to
/// the directory, then renamed over the object's file, so the source never reads a half-written file
/// (as Kubernetes' projected ConfigMaps and careful editors do).
/// </summary>
public sealed class ConfigDirectoryTarget : IChurnTarget
{
    private readonly string _directory;
    private readonly string _staging;
    private long _serial;

    /// <param name="directory">The watched directory.</param>
    /// <param name="staging">A directory on the same file system, outside the watched one.</param>
    public ConfigDirectoryTarget(string directory, string staging)
    {
        _directory = directory;
        _staging = staging;
        Directory.CreateDirectory(staging);
    }

    public string Name => "config-dir";

    public void Apply(ChurnObject obj, string yaml)
    {
        var path = MeshFiles.ChurnFile(_directory, obj.Kind, obj.Namespace, obj.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = Path.Combine(_staging, $"{Interlocked.Increment(ref _serial)}.tmp");
        File.WriteAllBytes(temporary, Encoding.UTF8.GetBytes(yaml));
        File.Move(temporary, path, overwrite: true);
    }

    public void Delete(ChurnObject obj) => File.Delete(MeshFiles.ChurnFile(_directory, obj.Kind, obj.Namespace, obj.Name));
}
