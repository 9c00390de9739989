using System.Text.Json.Nodes;
using ControlPlane.Kubernetes.Informers;
using ControlPlane.Testing.Kubernetes;

namespace ControlPlane.Kubernetes.Tests;

/// <summary>deploy/ grants exactly what the code uses: every informer's list/watch and the CA's calls, nothing more.</summary>
public sealed class ApiPermissionsTests
{
    private const string ServiceAccount = "istiod";
    private const string SystemNamespace = "istio-system";

    [Fact]
    public void Local_DeployRbac_GrantsExactlyWhatTheCodeUses()
    {
        var documents = Load("rbac.yaml");

        var granted = Grants(documents, ServiceAccount);

        AssertSame(ApiPermissions.Local, granted);
    }

    [Fact]
    public void Remote_DeployReaderRbac_GrantsExactlyWhatRemoteClustersAreAskedFor()
    {
        var documents = Load("remote-reader.yaml");

        var granted = Grants(documents, "istio-reader-service-account");

        AssertSame(ApiPermissions.Remote, granted);
    }

    [Fact]
    public void Local_EveryInformer_ListsAndWatches()
    {
        foreach (var resource in KubeResources.All)
        {
            foreach (var verb in new[] { "list", "watch" })
            {
                Assert.Contains(ApiPermissions.Local, p => p.Group == resource.Group && p.Resource == resource.Plural && p.Verb == verb
                    && p.SystemNamespaceOnly == resource.SystemNamespaceOnly);
            }
        }
    }

    [Fact]
    public void Deployment_RunsAsTheServiceAccountInClusterWithIstiodsPorts()
    {
        var documents = Load("controlplane.yaml");
        var deployment = documents.Single(d => Kind(d) == "Deployment");
        var service = documents.Single(d => Kind(d) == "Service");
        var pod = deployment["spec"]!["template"]!["spec"]!;
        var args = pod["containers"]![0]!["args"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();

        Assert.Equal(ServiceAccount, pod["serviceAccountName"]!.GetValue<string>());
        Assert.DoesNotContain(args, a => a.StartsWith("--config-dir", StringComparison.Ordinal) || a.StartsWith("--kubeconfig", StringComparison.Ordinal));
        Assert.Contains($"--system-namespace={SystemNamespace}", args);
        Assert.Equal("istiod", service["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal([8080, 15010, 15012, 15014], service["spec"]!["ports"]!.AsArray().Select(p => p!["port"]!.GetValue<long>()).Order());
        Assert.Equal("/ready", pod["containers"]![0]!["readinessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        // istiod's optional plugged-in CA, where the CA looks for it by default.
        Assert.Contains(pod["containers"]![0]!["volumeMounts"]!.AsArray(), m => m!["name"]!.GetValue<string>() == "cacerts" && m["mountPath"]!.GetValue<string>() == "/etc/cacerts");
        var cacerts = pod["volumes"]!.AsArray().Single(v => v!["name"]!.GetValue<string>() == "cacerts")!;
        Assert.Equal("cacerts", cacerts["secret"]!["secretName"]!.GetValue<string>());
        Assert.True(cacerts["secret"]!["optional"]!.GetValue<bool>());
    }

    private static void AssertSame(IReadOnlyList<ApiPermission> needed, HashSet<(string, string, string, bool)> granted)
    {
        var wanted = needed.Select(p => (p.Group, p.Resource, p.Verb, p.SystemNamespaceOnly)).ToHashSet();
        var missing = wanted.Except(granted).Select(Describe).Order().ToList();
        var extra = granted.Except(wanted).Select(Describe).Order().ToList();
        Assert.True(missing.Count == 0, $"deploy/ does not grant: {string.Join(", ", missing)}");
        Assert.True(extra.Count == 0, $"deploy/ grants what nothing uses: {string.Join(", ", extra)}");
    }

    /// <summary>(group, resource, verb, system namespace only) granted to the service account by bound (Cluster)Roles.</summary>
    private static HashSet<(string, string, string, bool)> Grants(IReadOnlyList<JsonObject> documents, string serviceAccount)
    {
        var granted = new HashSet<(string, string, string, bool)>();
        foreach (var binding in documents.Where(d => Kind(d) is "ClusterRoleBinding" or "RoleBinding"))
        {
            var subjects = binding["subjects"]!.AsArray();
            if (!subjects.Any(s => s!["kind"]!.GetValue<string>() == "ServiceAccount" && s["name"]!.GetValue<string>() == serviceAccount
                && s["namespace"]!.GetValue<string>() == SystemNamespace))
            {
                continue;
            }
            var roleKind = binding["roleRef"]!["kind"]!.GetValue<string>();
            var roleName = binding["roleRef"]!["name"]!.GetValue<string>();
            var namespaced = Kind(binding) == "RoleBinding";
            Assert.True(!namespaced || binding["metadata"]!["namespace"]!.GetValue<string>() == SystemNamespace, "RoleBindings belong in the system namespace");
            var role = documents.Single(d => Kind(d) == roleKind && d["metadata"]!["name"]!.GetValue<string>() == roleName
                && (roleKind == "ClusterRole" || d["metadata"]!["namespace"]!.GetValue<string>() == SystemNamespace));
            foreach (var rule in role["rules"]!.AsArray())
            {
                Assert.Null(rule!["resourceNames"]);
                foreach (var group in Strings(rule["apiGroups"]))
                {
                    foreach (var resource in Strings(rule["resources"]))
                    {
                        foreach (var verb in Strings(rule["verbs"]))
                        {
                            Assert.NotEqual("*", verb);
                            Assert.NotEqual("*", resource);
                            granted.Add((group, resource, verb, namespaced));
                        }
                    }
                }
            }
        }
        Assert.NotEmpty(granted);
        return granted;
    }

    private static IReadOnlyList<JsonObject> Load(string file) =>
        YamlToJson.Documents(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "deploy", file)));

    private static string Kind(JsonObject document) => document["kind"]!.GetValue<string>();

    private static IEnumerable<string> Strings(JsonNode? node) => node!.AsArray().Select(n => n!.GetValue<string>());

    private static string Describe((string Group, string Resource, string Verb, bool Namespaced) p) =>
        $"{p.Verb} {(p.Group.Length == 0 ? p.Resource : $"{p.Resource}.{p.Group}")}{(p.Namespaced ? $" in {SystemNamespace}" : "")}";
}
