using System.Text;

namespace ControlPlane.Bench.Mesh;

/// <summary>
/// Writes a generated mesh as a config directory: <c>nodes.yaml</c>, one multi-document file per
/// namespace (its Namespace, Services and pods), and each churnable object in a file of its own under
/// <c>churn/&lt;namespace&gt;/</c>, so rewriting it does not make the source re-read a whole namespace.
/// </summary>
public static class MeshFiles
{
    public const string NodesFile = "nodes.yaml";
    public const string ChurnDirectory = "churn";

    /// <summary>Writes every node to <c>nodes.yaml</c>; returns the bytes written.</summary>
    public static long WriteNodes(MeshGenerator mesh, string directory)
    {
        var text = new StringBuilder();
        for (var i = 0; i < mesh.Shape.Nodes; i++)
        {
            ManifestYaml.Append(text, ManifestYaml.Node(i));
        }
        return Write(Path.Combine(directory, NodesFile), text.ToString());
    }

    /// <summary>Writes every namespace (and its churnable objects); returns files and bytes written.</summary>
    public static (int Files, long Bytes) WriteNamespaces(MeshGenerator mesh, string directory)
    {
        var files = 0;
        long bytes = 0;
        var text = new StringBuilder(64 * 1024);
        for (var ns = 0; ns < mesh.Shape.Namespaces; ns++)
        {
            text.Clear();
            var name = MeshGenerator.NamespaceName(ns);
            ManifestYaml.Append(text, ManifestYaml.Namespace(name));
            foreach (var service in mesh.ServicesOf(ns))
            {
                if (mesh.Shape.IsChurnable(service.Index))
                {
                    bytes += Write(ChurnFile(directory, "service", service.Namespace, service.Name), ManifestYaml.Service(service));
                    files++;
                }
                else
                {
                    ManifestYaml.Append(text, ManifestYaml.Service(service));
                }
                foreach (var pod in mesh.PodsOf(service))
                {
                    if (mesh.Shape.IsChurnable(pod.Index))
                    {
                        bytes += Write(ChurnFile(directory, "pod", pod.Namespace, pod.Name), ManifestYaml.Pod(pod));
                        files++;
                    }
                    else
                    {
                        ManifestYaml.Append(text, ManifestYaml.Pod(pod));
                    }
                }
            }
            bytes += Write(Path.Combine(directory, name + ".yaml"), text.ToString());
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
