using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ControlPlane.Testing.Kubernetes;

/// <summary>
/// Multi-document YAML → JSON objects, resolving plain scalars with the YAML 1.2 core schema (so
/// <c>port: 80</c> becomes a number and <c>"80"</c> stays a string), as <c>kubectl apply</c> would send them.
/// </summary>
public static partial class YamlToJson
{
    public static IReadOnlyList<JsonObject> Documents(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var documents = new List<JsonObject>();
        foreach (var document in stream.Documents)
        {
            switch (Convert(document.RootNode))
            {
                case JsonObject obj:
                    documents.Add(obj);
                    break;
                case null:
                    break;
                default:
                    throw new FormatException($"a YAML document at line {document.RootNode.Start.Line} is not a mapping");
            }
        }
        return documents;
    }

    /// <summary>Exactly one document.</summary>
    public static JsonObject Document(string yaml)
    {
        var documents = Documents(yaml);
        return documents.Count == 1 ? documents[0] : throw new FormatException($"expected one YAML document, found {documents.Count}");
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode mapping => ConvertMapping(mapping),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(Convert)]),
        YamlScalarNode scalar => ConvertScalar(scalar),
        _ => throw new FormatException($"unsupported YAML node at line {node.Start.Line}"),
    };

    private static JsonObject ConvertMapping(YamlMappingNode mapping)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in mapping.Children)
        {
            var name = key is YamlScalarNode { Value: { } text } ? text : throw new FormatException($"non-scalar key at line {key.Start.Line}");
            obj[name] = Convert(value);
        }
        return obj;
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? string.Empty;
        var explicitString = scalar.Tag.IsEmpty is false && scalar.Tag.Value == "tag:yaml.org,2002:str";
        if (scalar.Style != ScalarStyle.Plain || explicitString)
        {
            return JsonValue.Create(value);
        }
        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }
        if (IntegerPattern().IsMatch(value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }
        if (FloatPattern().IsMatch(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return JsonValue.Create(real);
        }
        return JsonValue.Create(value);
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
