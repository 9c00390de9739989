using System.Text;
using ControlPlane.Bench.Churn;

namespace ControlPlane.Bench.Mesh;

/// <summary>
/// Writes a generated mesh as a config directory: <c>nodes.yaml</c>, one multi-document file per
/// namespace (its Namespace, policies, Services and pods), and each churnable object in a file of its own under
/// <c>churn/&lt;namespace&gt;/</c>, so rewriting it does not make the source re-read a whole namespace.
/// </summary>
public static class MeshFiles
{
    public const string NodesFile = "nodes.yaml";
    public const string ChurnDirectory = "churn";

    /// <summary>Writes every node to <c>nodes.yaml</c>; returns the bytes written.</summary>
    public static long WriteNodes(MeshGenerator mesh, string directory) =>
        Write(Path.Combine(directory, NodesFile), MeshManifests.Nodes(mesh));

    /// <summary>Writes every namespace (and its churnable objects); returns files and bytes written.</summary>
    public static (int Files, long Bytes) WriteNamespaces(MeshGenerator mesh, string directory)
    {
        var files = 0;
        long bytes = 0;
        for (var ns = 0; ns < mesh.Shape.Namespaces; ns++)
        {
            var text = MeshManifests.Namespace(mesh, ns, (obj, yaml) =>
            {
                bytes += Write(ChurnFile(directory, obj.Kind, obj.Namespace, obj.Name), yaml);
                files++;
            });
            bytes += Write(Path.Combine(directory, MeshGenerator.NamespaceName(ns) + ".yaml"), text);
            files++;
        }
        return (files, bytes);
    }

    /// <summary>Where a churnable object's own file lives.</summary>
    public static string ChurnFile(string directory, string kind, string ns, string name) =>
        Path.Combine(directory, ChurnDirectory, ns, $"{kind}-{name}.yaml");

    /// <summary>
    /// Moves every file of <paramref name="staging"/> into <paramref name="target"/> (same file system:
    /// each move is an atomic rename), as a tool applying a whole mesh at once would.
    /// </summary>
    public static int MoveAll(string staging, string target)
    {
        var moved = 0;
        foreach (var file in Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList())
        {
            var destination = Path.Combine(target, Path.GetRelativePath(staging, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Move(file, destination);
            moved++;
        }
        return moved;
    }

    private static long Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = Encoding.UTF8.GetBytes(text);
        File.WriteAllBytes(path, bytes);
        return bytes.Length;
    }
}
