using System.Text;
using ControlPlane.Ambient.Builders;
using ControlPlane.Ambient.Model;
using ControlPlane.Kubernetes.Manifests;
using ControlPlane.Testing;

namespace ControlPlane.Ambient.Tests.Builders;

public sealed class MeshBuilderGoldenTests
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
        var resources = MeshBuilder.BuildAll(objects, Settings)
            .OrderBy(r => r.Kind)
            .ThenBy(r => r.Name, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(resources.Count, resources.Select(r => (r.Kind, r.Name)).Distinct().Count());
        foreach (var resource in resources)
        {
            output.Append("--- ").Append(resource.Kind).Append(' ').Append(resource.Name).Append('\n').Append(ProtoText.Format(resource.Message));
        }
        GoldenCase.Verify(name, "expected.txt", output.ToString());
    }
}
