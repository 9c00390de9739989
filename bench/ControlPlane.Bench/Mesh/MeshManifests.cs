using System.Text;
using ControlPlane.Bench.Churn;

namespace ControlPlane.Bench.Mesh;

/// <summary>A generated mesh as multi-document YAML texts, whichever source they are then fed to.</summary>
public static class MeshManifests
{
    public static string Nodes(MeshGenerator mesh)
    {
        var text = new StringBuilder();
        for (var i = 0; i < mesh.Shape.Nodes; i++)
        {
            ManifestYaml.Append(text, ManifestYaml.Node(i));
        }
        return text.ToString();
    }

    /// <summary>
    /// Namespace <paramref name="ns"/>: its Namespace, policies, Services and pods. Churnable objects go to
    /// <paramref name="churnable"/> instead when one is given (to be kept apart, e.g. in files of their own).
    /// </summary>
    public static string Namespace(MeshGenerator mesh, int ns, Action<ChurnObject, string>? churnable = null)
    {
        var text = new StringBuilder(64 * 1024);
        var name = MeshGenerator.NamespaceName(ns);
        ManifestYaml.Append(text, ManifestYaml.Namespace(name));
        ManifestYaml.Append(text, ManifestYaml.DenyPolicy(name));
        var policy = mesh.Policy(ns);
        Add(text, mesh.Shape.IsChurnable(ns), new ChurnObject("policy", policy.Namespace, policy.Name), ManifestYaml.Policy(policy), churnable);
        foreach (var service in mesh.ServicesOf(ns))
        {
            Add(text, mesh.Shape.IsChurnable(service.Index), new ChurnObject("service", service.Namespace, service.Name), ManifestYaml.Service(service), churnable);
            foreach (var pod in mesh.PodsOf(service))
            {
                Add(text, mesh.Shape.IsChurnable(pod.Index), new ChurnObject("pod", pod.Namespace, pod.Name), ManifestYaml.Pod(pod), churnable);
            }
        }
        return text.ToString();
    }

    private static void Add(StringBuilder text, bool isChurnable, ChurnObject obj, string yaml, Action<ChurnObject, string>? churnable)
    {
        if (isChurnable && churnable is not null)
        {
            churnable(obj, yaml);
        }
        else
        {
            ManifestYaml.Append(text, yaml);
        }
    }
}
