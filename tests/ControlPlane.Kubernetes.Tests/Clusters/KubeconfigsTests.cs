using ControlPlane.Kubernetes.Clusters;

namespace ControlPlane.Kubernetes.Tests.Clusters;

public sealed class KubeconfigsTests
{
    private const string Valid = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: east
          cluster: {server: "https://east.example:6443", insecure-skip-tls-verify: true}
        users:
        - name: reader
          user: {token: SECRET-TOKEN}
        contexts:
        - name: east
          context: {cluster: east, user: reader}
        current-context: east
        """;

    [Fact]
    public void FromSecret_TokenKubeconfig_BuildsTheClientConfig()
    {
        var config = Kubeconfigs.FromSecret(Valid, "east");

        Assert.Equal("https://east.example:6443", config.Host.TrimEnd('/'));
        Assert.Equal("SECRET-TOKEN", config.AccessToken);
    }

    [Theory]
    [InlineData("user: {token: SECRET-TOKEN}", "user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh}}", "uses exec")]
    [InlineData("user: {token: SECRET-TOKEN}", "user: {auth-provider: {name: gcp}}", "uses auth-provider gcp")]
    [InlineData("user: {token: SECRET-TOKEN}", "user: {client-certificate: /etc/passwd, client-key-data: eA==}", "uses client-certificate (a file)")]
    [InlineData("user: {token: SECRET-TOKEN}", "user: {client-key: /root/key, client-certificate-data: eA==}", "uses client-key (a file)")]
    [InlineData("current-context: east", "current-context: west", "has no context west")]
    [InlineData("context: {cluster: east, user: reader}", "context: {cluster: nowhere, user: reader}", "cluster nowhere has no server")]
    [InlineData("context: {cluster: east, user: reader}", "context: {cluster: east, user: nobody}", "user nobody is not defined")]
    public void FromSecret_UnsafeOrIncomplete_IsRefusedWithAClearReason(string replace, string with, string reason)
    {
        var error = Assert.Throws<KubeconfigException>(() => Kubeconfigs.FromSecret(Valid.Replace(replace, with, StringComparison.Ordinal), "east"));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("the kubeconfig of cluster east", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("clusters: [SECRET-TOKEN: {unclosed")]
    [InlineData("just some text SECRET-TOKEN")]
    public void FromSecret_NotAKubeconfig_IsRefusedWithoutQuotingIt(string text)
    {
        var error = Assert.Throws<KubeconfigException>(() => Kubeconfigs.FromSecret(text, "east"));

        Assert.DoesNotContain("SECRET-TOKEN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromFile_Missing_SaysSo()
    {
        var error = Assert.Throws<KubeconfigException>(() => Kubeconfigs.FromFile("/nonexistent/kubeconfig", null));

        Assert.Equal("kubeconfig /nonexistent/kubeconfig does not exist", error.Message);
    }

    [Fact]
    public void FromFile_Context_SelectsIt()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, Valid.Replace("""
                contexts:
                - name: east
                """, """
                contexts:
                - name: other
                  context: {cluster: nowhere}
                - name: east
                """, StringComparison.Ordinal));

            Assert.Equal("https://east.example:6443", Kubeconfigs.FromFile(path, "east").Host.TrimEnd('/'));
            Assert.Contains("cluster nowhere has no server", Assert.Throws<KubeconfigException>(() => Kubeconfigs.FromFile(path, "other")).Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
