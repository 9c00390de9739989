using System.Text;
using ControlPlane.Ambient.Builders;
using ControlPlane.Ambient.Model;
using ControlPlane.Kubernetes.Manifests;
using ControlPlane.Testing;

namespace ControlPlane.Ambient.Tests.Builders;

public sealed class NamespaceBuilderGoldenTests
{
    private static readonly MeshSettings Settings = new();

    [Theory]
    [MemberData(nameof(GoldenCase.All), MemberType = typeof(GoldenCase))]
    public void BuildAll_GoldenCase_MatchesExpected(string name)
    {
        var inputPath = Path.Combine(GoldenCase.Directory, name, "input.yaml");
        var documents = ManifestReader.Read("input.yaml", File.ReadAllText(inputPath), Settings.ClusterId);
        var objects = documents.Where(d => d.Object is not null).Select(d => d.Object!).ToList();

        var output = new StringBuilder();
        foreach (var skipped in documents.Where(d => d.Error is not null))
        {
            output.Append("# skipped ").Append(skipped.Position).Append(": ").Append(skipped.Error).Append('\n');
        }
        foreach (var resource in Build(objects).OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            output.Append("--- ").Append(resource.Name).Append('\n').Append(ProtoText.Format(resource.Message));
        }
        GoldenCase.Verify(name, "expected.txt", output.ToString());
    }

    private static IEnumerable<AmbientResource> Build(List<IMeshObject> objects)
    {
        var namespaces = objects.OfType<KubeNamespace>().ToDictionary(n => n.Meta.Name, StringComparer.Ordinal);
        var mesh = MeshInputs.From(Settings, namespaces.GetValueOrDefault(Settings.RootNamespace), objects.OfType<KubeNode>());
        var names = objects.Where(o => o.Meta.Namespace.Length > 0).Select(o => o.Meta.Namespace).Distinct(StringComparer.Ordinal);
        foreach (var ns in names)
        {
            var inputs = new NamespaceInputs
            {
                Name = ns,
                Namespace = namespaces.GetValueOrDefault(ns),
                Pods = [.. objects.OfType<Pod>().Where(p => p.Meta.Namespace == ns)],
                Services = [.. objects.OfType<KubeService>().Where(s => s.Meta.Namespace == ns)],
            };
            foreach (var resource in NamespaceBuilder.BuildAll(inputs, mesh))
            {
                yield return resource;
            }
        }
    }
}
