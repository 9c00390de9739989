using System.Text;
using ControlPlane.Ambient.Model;
using ControlPlane.Kubernetes.Conversion;
using k8s;
using k8s.Models;

namespace ControlPlane.Kubernetes.Manifests;

/// <summary>
/// Reads multi-document Kubernetes YAML into mesh objects. Each document is parsed on its own, so a
/// malformed or invalid one is reported with its position and the rest still load.
/// </summary>
public static class ManifestReader
{
    public static IReadOnlyList<ManifestDocument> Read(string file, string text, string cluster)
    {
        var documents = new List<ManifestDocument>();
        var index = 0;
        foreach (var (line, body) in Split(text))
        {
            index++;
            if (IsBlank(body))
            {
                continue;
            }
            documents.Add(ReadDocument(file, index, line, body, cluster));
        }
        return documents;
    }

    private static ManifestDocument ReadDocument(string file, int index, int line, string body, string cluster)
    {
        KubernetesObject header;
        try
        {
            header = KubernetesYaml.Deserialize<KubernetesObject>(body);
        }
        catch (Exception ex) when (ex is YamlDotNet.Core.YamlException or InvalidOperationException or FormatException)
        {
            return new ManifestDocument(file, index, line, null, null, $"malformed YAML: {Describe(ex)}");
        }
        if (header is null || string.IsNullOrEmpty(header.ApiVersion) || string.IsNullOrEmpty(header.Kind))
        {
            return new ManifestDocument(file, index, line, null, null, "not a Kubernetes object: apiVersion and kind are required");
        }
        var apiVersionKind = ApiVersionKind(header.ApiVersion, header.Kind);
        try
        {
            var converted = KubeObjectConverter.Convert(apiVersionKind, body, cluster);
            return converted is null
                ? new ManifestDocument(file, index, line, null, apiVersionKind, null)
                : new ManifestDocument(file, index, line, converted, apiVersionKind, null);
        }
        catch (InvalidObjectException ex)
        {
            return new ManifestDocument(file, index, line, null, apiVersionKind, $"invalid {header.Kind}: {Describe(ex)}");
        }
    }

    /// <summary><c>apiVersion/kind</c>, pooled: every document keeps it, and most documents share a few.</summary>
    private static string ApiVersionKind(string apiVersion, string kind)
    {
        var length = apiVersion.Length + 1 + kind.Length;
        if (length > 256)
        {
            return $"{apiVersion}/{kind}";
        }
        Span<char> text = stackalloc char[length];
        apiVersion.CopyTo(text);
        text[apiVersion.Length] = '/';
        kind.CopyTo(text[(apiVersion.Length + 1)..]);
        return Interned.String(text);
    }

    /// <summary>Splits at <c>---</c> separator lines; yields each document with its first line number.</summary>
    private static IEnumerable<(int Line, string Body)> Split(string text)
    {
        var body = new StringBuilder();
        var start = 1;
        var number = 0;
        using var reader = new StringReader(text);
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.StartsWith("---", StringComparison.Ordinal) && (line.Length == 3 || char.IsWhiteSpace(line[3])))
            {
                yield return (start, body.ToString());
                body.Clear();
                start = number + 1;
                continue;
            }
            body.Append(line).Append('\n');
        }
        yield return (start, body.ToString());
    }

    private static bool IsBlank(string body)
    {
        foreach (var raw in body.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The most specific message of an exception chain, with the YAML position when a parser gave one.</summary>
    private static string Describe(Exception ex)
    {
        var innermost = ex;
        YamlDotNet.Core.YamlException? positioned = null;
        for (var current = ex; current is not null; current = current.InnerException)
        {
            innermost = current;
            if (current is YamlDotNet.Core.YamlException yaml && current.InnerException is not null)
            {
                positioned ??= yaml;
            }
        }
        var message = FirstLine(ex is InvalidObjectException ? ex.Message : innermost.Message);
        return positioned is null ? message : $"{message} (at line {positioned.Start.Line} of the document)";
    }

    private static string FirstLine(string message)
    {
        var newline = message.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? message : message[..newline];
    }
}
