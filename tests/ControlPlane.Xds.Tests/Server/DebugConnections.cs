using System.Net.Http.Json;
using System.Text.Json;
using ControlPlane.Testing;

namespace ControlPlane.Xds.Tests.Server;

/// <summary>Reads <c>/debug/connections</c> of a test server.</summary>
public static class DebugConnections
{
    /// <summary>Every live connection of <paramref name="nodeId"/>.</summary>
    public static async Task<IReadOnlyList<JsonElement>> OfNodeAsync(TestControlPlane server, string nodeId)
    {
        var all = await server.Http.GetFromJsonAsync<JsonElement>("/debug/connections");
        return [.. all.EnumerateArray().Where(c => c.GetProperty("node").ValueKind == JsonValueKind.String && c.GetProperty("node").GetString() == nodeId)];
    }

    /// <summary>The state of <paramref name="typeUrl"/> on the one live connection of <paramref name="nodeId"/>.</summary>
    public static async Task<JsonElement> TypeAsync(TestControlPlane server, string nodeId, string typeUrl)
    {
        var connection = Assert.Single(await OfNodeAsync(server, nodeId));
        return connection.GetProperty("types").EnumerateArray().Single(t => t.GetProperty("typeUrl").GetString() == typeUrl);
    }

    /// <summary>Polls until <paramref name="condition"/> holds for the connections of <paramref name="nodeId"/>.</summary>
    public static async Task WaitUntilAsync(TestControlPlane server, string nodeId, Func<IReadOnlyList<JsonElement>, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition(await OfNodeAsync(server, nodeId)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(20);
        }
    }
}
