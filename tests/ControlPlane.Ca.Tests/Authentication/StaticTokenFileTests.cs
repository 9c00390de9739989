using ControlPlane.Ca.Authentication;

namespace ControlPlane.Ca.Tests.Authentication;

public sealed class StaticTokenFileTests
{
    [Fact]
    public void Parse_DocumentedFormat_MapsTokensToIdentitiesAndPods()
    {
        const string text =
            "# token                 account                  pod            uid\n" +
            "node-a-secret           istio-system/ztunnel     ztunnel-a1b2c  0f3c-11\r\n" +
            "shop-secret\tshop/frontend   # trailing comment\n" +
            "\n";

        var file = StaticTokenFile.Parse(text, "cluster.local", "tokens");

        Assert.Equal(2, file.Count);
        var node = file.Find("node-a-secret")!;
        Assert.Equal("spiffe://cluster.local/ns/istio-system/sa/ztunnel", node.Id.Uri);
        Assert.Equal("ztunnel-a1b2c", node.PodName);
        Assert.Equal("0f3c-11", node.PodUid);
        var shop = file.Find("shop-secret")!;
        Assert.Equal("spiffe://cluster.local/ns/shop/sa/frontend", shop.Id.Uri);
        Assert.Equal(string.Empty, shop.PodName);
        Assert.Null(file.Find("node-a-secre"));
    }

    [Theory]
    [InlineData("only-a-token", "tokens:1:")]
    [InlineData("tok shop", "tokens:1:")]
    [InlineData("tok shop/a/b", "tokens:1:")]
    [InlineData("ok a/b\ntok a/b p u extra", "tokens:2:")]
    [InlineData("tok a/b bad/pod", "tokens:1:")]
    public void Parse_BadLine_NamesTheLineButNotTheToken(string text, string position)
    {
        var error = Assert.Throws<InvalidOperationException>(() => StaticTokenFile.Parse(text, "cluster.local", "tokens"));

        Assert.StartsWith(position, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("tok ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateToken_IsRefused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StaticTokenFile.Parse("same a/b\nsame c/d", "cluster.local", "tokens"));

        Assert.StartsWith("tokens:2:", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("same", error.Message, StringComparison.Ordinal);
    }
}
