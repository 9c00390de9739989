namespace ControlPlane.Host.Tests;

public sealed class SourceSelectorTests
{
    [Theory]
    [InlineData("/etc/mesh", "", true, true, SourceMode.ConfigDirectory)]
    [InlineData("", "/root/kubeconfig", true, true, SourceMode.KubeconfigFile)]
    [InlineData("", "/root/kubeconfig", false, false, SourceMode.KubeconfigFile)]
    [InlineData("", "", true, true, SourceMode.InCluster)]
    [InlineData("", "", false, true, SourceMode.None)]
    [InlineData("", "", true, false, SourceMode.None)]
    [InlineData("/etc/mesh", "", true, false, SourceMode.ConfigDirectory)]
    public void Select_Flags_PickTheSourceAsDocumented(string configDir, string kubeconfig, bool inClusterAllowed, bool inPod, SourceMode expected)
    {
        Assert.Equal(expected, SourceSelector.Select(configDir, kubeconfig, inClusterAllowed, () => inPod));
    }

    [Fact]
    public void Select_ConfigDirAndKubeconfig_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => SourceSelector.Select("/etc/mesh", "/root/kubeconfig", true, () => false));

        Assert.Contains("--config-dir and --kubeconfig are exclusive", error.Message, StringComparison.Ordinal);
    }
}
