using System.Reflection;

namespace ControlPlane.Ambient.Tests.Builders;

/// <summary>
/// One golden case: <c>testdata/&lt;case&gt;/input.yaml</c> (Kubernetes objects) and
/// <c>expected.txt</c> (the resources built from them). Run with UPDATE_GOLDEN=1 to rewrite expectations.
/// </summary>
public static class GoldenCase
{
    public static string Directory { get; } = typeof(GoldenCase).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "TestDataDirectory").Value!;

    public static bool Update => Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1";

    public static IEnumerable<object[]> All() =>
        System.IO.Directory.GetDirectories(Directory).Select(d => new object[] { Path.GetFileName(d) }).OrderBy(c => (string)c[0], StringComparer.Ordinal);

    /// <summary>Compares <paramref name="actual"/> with the case's expectation (or rewrites it when updating).</summary>
    public static void Verify(string name, string fileName, string actual)
    {
        var path = Path.Combine(Directory, name, fileName);
        if (Update)
        {
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"{path} is missing; run the tests with UPDATE_GOLDEN=1 to create it, then review it");
        var expected = File.ReadAllText(path);
        Assert.Equal(expected, actual);
    }
}
