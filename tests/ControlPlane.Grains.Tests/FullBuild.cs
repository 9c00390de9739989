using System.Reflection;
using ControlPlane.Ambient.Builders;
using ControlPlane.Ambient.Model;
using ControlPlane.Kubernetes.Manifests;
using ControlPlane.Xds;
using Google.Protobuf;

namespace ControlPlane.Grains.Tests;

/// <summary>What the grains must end with: a full build of the same objects.</summary>
public static class FullBuild
{
    private static readonly string ExampleMeshDirectory = Path.Combine(
        typeof(FullBuild).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ExamplesDirectory").Value!,
        "ambient-mesh");

    /// <summary>The objects of the example mesh (<c>examples/ambient-mesh</c>).</summary>
    public static List<IMeshObject> ExampleMesh() =>
        Directory.GetFiles(ExampleMeshDirectory, "*.yaml").Order(StringComparer.Ordinal)
            .SelectMany(file => ManifestReader.Read(Path.GetFileName(file), File.ReadAllText(file), "Kubernetes"))
            .Select(d => d.Object ?? throw new InvalidOperationException($"{d.Position}: {d.Error}"))
            .ToList();

    /// <summary>
    /// Waits until the probed hub holds exactly what a full build of <paramref name="objects"/> produces; returns
    /// what still differs (missing, differing and extra resources) if it never does.
    /// </summary>
    public static async Task<List<string>> HubDifferencesAsync(HubProbe probe, IReadOnlyCollection<IMeshObject> objects, TimeSpan? timeout = null)
    {
        var expected = MeshBuilder.BuildAll(objects, new MeshSettings())
            .ToDictionary(r => (r.Kind == AmbientResourceKind.Address ? TypeUrls.Address : TypeUrls.Authorization, r.Name), r => r.Message.ToByteString());
        List<string> Differences(HubProbe p)
        {
            var actual = p.Addresses.All.Concat(p.Authorizations.All).ToDictionary(r => (r.TypeUrl, r.Name), r => r.Body);
            var differences = new List<string>();
            foreach (var (key, body) in expected)
            {
                if (!actual.TryGetValue(key, out var held))
                {
                    differences.Add($"missing {key.Item2}");
                }
                else if (!held.Equals(body))
                {
                    differences.Add($"differs {key.Item2}");
                }
            }
            differences.AddRange(actual.Keys.Where(k => !expected.ContainsKey(k)).Select(k => $"extra {k.Name}"));
            return differences;
        }
        try
        {
            await probe.WaitUntilAsync(p => Differences(p).Count == 0, "the hub holds exactly what a full build produces", timeout);
            return [];
        }
        catch (Xunit.Sdk.XunitException)
        {
            return Differences(probe);
        }
    }
}
