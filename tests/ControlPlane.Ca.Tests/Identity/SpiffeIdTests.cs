using ControlPlane.Ca.Identity;

namespace ControlPlane.Ca.Tests.Identity;

public sealed class SpiffeIdTests
{
    [Fact]
    public void TryParse_IstioForm_RoundTrips()
    {
        Assert.True(SpiffeId.TryParse("spiffe://cluster.local/ns/shop/sa/frontend", out var id));

        Assert.Equal(new SpiffeId("cluster.local", "shop", "frontend"), id);
        Assert.Equal("spiffe://cluster.local/ns/shop/sa/frontend", id.Uri);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("cluster.local/ns/shop/sa/frontend")]
    [InlineData("spiffe://cluster.local/ns/shop")]
    [InlineData("spiffe://cluster.local/ns/shop/sa/")]
    [InlineData("spiffe://cluster.local/sa/shop/ns/frontend")]
    [InlineData("spiffe://cluster.local/ns/shop/sa/frontend/extra")]
    [InlineData("spiffe://cluster.local/ns/sh op/sa/frontend")]
    [InlineData("spiffe://cluster.local/ns/shop/sa/front%2Fend")]
    [InlineData("spiffe:///ns/shop/sa/frontend")]
    public void TryParse_OtherShapes_AreRefused(string? text)
    {
        Assert.False(SpiffeId.TryParse(text, out _));
    }
}
