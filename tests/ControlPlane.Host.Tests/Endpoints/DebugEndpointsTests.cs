using System.Text.Json;
using ControlPlane.Kubernetes.Clusters;
using ControlPlane.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ControlPlane.Host.Tests.Endpoints;

public sealed class DebugEndpointsTests
{
    [Fact]
    public async Task Clusters_ConfigDirectoryMode_ListsNoClusterAndRegistersNoClusterClients()
    {
        var directory = Directory.CreateTempSubdirectory("config-dir-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "ns.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n");
            await using var server = await TestControlPlane.StartAsync("--config-dir", directory);

            var debug = JsonDocument.Parse(await server.Http.GetStringAsync(new Uri("/debug/clusters", UriKind.Relative))).RootElement;

            Assert.Equal("ConfigDirectory", debug.GetProperty("source").GetString());
            Assert.Empty(debug.GetProperty("clusters").EnumerateArray());
            Assert.Null(server.App.Services.GetService<IClusterClients>());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
