using ControlPlane.Testing.Xds;
using ControlPlane.Xds.Resources;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.Xds.Tests.Server;

public sealed class DeltaConnectionTests(XdsServerFixture fixture) : IClassFixture<XdsServerFixture>
{
    private const string TypeUrl = TypeUrls.Cluster;

    [Fact]
    public async Task FirstRequest_WildcardOnEmptyTable_IsAnsweredEmpty()
    {
        using var channel = fixture.Server.CreateXdsChannel();
        await using var client = DeltaAdsTestClient.Connect(channel, XdsNodes.Ztunnel());
        await client.SubscribeAsync("type.googleapis.com/test.Empty");

        var response = await client.ExpectAndAckAsync("type.googleapis.com/test.Empty");

        Assert.Empty(response.Resources);
        Assert.Empty(response.RemovedResources);
        Assert.NotEmpty(response.Nonce);
        await client.ExpectNoResponseAsync();
    }

    [Fact]
    public async Task Reconnect_WithInitialVersions_SendsOnlyTheDifference()
    {
        var scope = Guid.NewGuid().ToString("n");
        Publish(scope, "same", "changed", "vanishes");
        using var channel = fixture.Server.CreateXdsChannel();
        await using var first = DeltaAdsTestClient.Connect(channel, XdsNodes.Ztunnel());
        await first.SubscribeAsync(TypeUrl, [$"{scope}-same", $"{scope}-changed", $"{scope}-vanishes"]);
        var initial = await first.ExpectAndAckAsync(TypeUrl);
        Assert.Equal(3, initial.Resources.Count);

        fixture.Server.Hub.Publish(new ResourceDelta(TypeUrl, string.Empty, [Resource($"{scope}-changed", "v2")], [$"{scope}-vanishes"]));
        await WaitForAsync(() => !fixture.Server.Hub.GetTable(TypeUrl).TryGet($"{scope}-vanishes", out _));

        await using var second = DeltaAdsTestClient.Connect(channel, XdsNodes.Ztunnel());
        await second.SubscribeAsync(TypeUrl, [$"{scope}-same", $"{scope}-changed", $"{scope}-vanishes"], initialResourceVersions: first.Held(TypeUrl));
        var resync = await second.ExpectAndAckAsync(TypeUrl);

        Assert.Equal([$"{scope}-changed"], resync.Resources.Select(r => r.Name));
        Assert.Equal([$"{scope}-vanishes"], resync.RemovedResources);
    }

    private void Publish(string scope, params string[] names) =>
        fixture.Server.Hub.Publish(new ResourceDelta(TypeUrl, string.Empty, [.. names.Select(n => Resource($"{scope}-{n}", "v1"))], []));

    private static XdsResource Resource(string name, string content) =>
        XdsResource.Create(TypeUrl, name, new Envoy.Config.Cluster.V3.Cluster { Name = name, AltStatName = content });

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(10);
        }
    }
}
