using System.Text.Json.Nodes;
using ControlPlane.Testing.Kubernetes;

namespace ControlPlane.Testing.Tests.Kubernetes;

public sealed class YamlToJsonTests
{
    [Fact]
    public void Documents_PlainAndQuotedScalars_ResolveAsTheCoreSchema()
    {
        var documents = YamlToJson.Documents("""
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              labels:
                version: "2"
                empty: ""
            spec:
              ports:
              - port: 80
                targetPort: http
              publishNotReadyAddresses: true
              weight: 0.5
              missing:
            ---
            # only a comment
            ---
            kind: Namespace
            """);

        Assert.Equal(2, documents.Count);
        var service = documents[0];
        Assert.Equal("2", service["metadata"]!["labels"]!["version"]!.GetValue<string>());
        Assert.Equal("", service["metadata"]!["labels"]!["empty"]!.GetValue<string>());
        Assert.Equal(80, service["spec"]!["ports"]![0]!["port"]!.GetValue<long>());
        Assert.Equal("http", service["spec"]!["ports"]![0]!["targetPort"]!.GetValue<string>());
        Assert.True(service["spec"]!["publishNotReadyAddresses"]!.GetValue<bool>());
        Assert.Equal(0.5, service["spec"]!["weight"]!.GetValue<double>());
        Assert.True(service["spec"]!.AsObject().ContainsKey("missing"));
        Assert.Null(service["spec"]!["missing"]);
        Assert.Equal("Namespace", documents[1]["kind"]!.GetValue<string>());
    }

    [Fact]
    public void Document_ScalarRoot_IsRefused()
    {
        Assert.Throws<FormatException>(() => YamlToJson.Document("just text"));
    }

    [Fact]
    public void Documents_Json_ParsesAsYaml()
    {
        var obj = YamlToJson.Document("""{"kind": "Pod", "spec": {"hostNetwork": false, "priority": 7}}""");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"kind":"Pod","spec":{"hostNetwork":false,"priority":7}}"""), obj));
    }
}
