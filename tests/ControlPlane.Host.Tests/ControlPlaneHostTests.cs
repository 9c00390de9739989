using ControlPlane.Kubernetes.Clusters;
using ControlPlane.Testing.Kubernetes;
using k8s;
using Microsoft.Extensions.DependencyInjection;

namespace ControlPlane.Host.Tests;

public sealed class ControlPlaneHostTests
{
    [Fact]
    public void Build_KubeconfigThatDoesNotExist_FailsWithAClearError()
    {
        var error = Assert.Throws<ArgumentException>(() => ControlPlaneHost.Build(["--kubeconfig", "/nonexistent/kubeconfig"]));

        Assert.Equal("kubeconfig /nonexistent/kubeconfig does not exist", error.Message);
    }

    [Fact]
    public async Task Build_KubernetesMode_ClusterClientsServeTheLocalClusterBeforeAnythingStarts()
    {
        await using var api = await KubeApiServerDouble.StartAsync("local");
        api.Apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n");
        var directory = Directory.CreateTempSubdirectory("kubeconfig-").FullName;
        try
        {
            await using var app = ControlPlaneHost.Build(["--kubeconfig", api.WriteKubeconfig(directory), "--cluster-id", "east"]);

            // What the CA does at start-up, before the informers run.
            var clients = app.Services.GetRequiredService<IClusterClients>();

            Assert.Equal("east", clients.LocalClusterId);
            Assert.Equal("shop", (await clients.Local.CoreV1.ListNamespaceAsync()).Items.Single().Metadata.Name);
            Assert.Same(clients.Local, clients.ForCluster(""));
            Assert.Same(clients.Local, clients.ForCluster("east"));
            Assert.Null(clients.ForCluster("west"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
