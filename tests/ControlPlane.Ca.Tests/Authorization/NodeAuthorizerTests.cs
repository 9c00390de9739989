using ControlPlane.Ambient.Model;
using ControlPlane.Ca.Authentication;
using ControlPlane.Ca.Authorization;
using ControlPlane.Ca.Identity;
using Microsoft.Extensions.Options;

namespace ControlPlane.Ca.Tests.Authorization;

public sealed class NodeAuthorizerTests
{
    private readonly PodIndex _pods = new();

    [Fact]
    public async Task Authorize_PodOfTheIdentityOnTheCallersNode_GrantsIt()
    {
        await SeedAsync();

        var granted = Authorizer().Authorize(Ztunnel(), "spiffe://cluster.local/ns/shop/sa/web", out var failure);

        Assert.Equal(new SpiffeId("cluster.local", "shop", "web"), granted);
        Assert.Empty(failure);
    }

    [Theory]
    [InlineData("spiffe://cluster.local/ns/shop/sa/db", "no pod of shop/db runs on node 'node-a'")]
    [InlineData("spiffe://cluster.local/ns/evil/sa/web", "no pod of evil/web runs on node 'node-a'")]
    [InlineData("spiffe://cluster.local/ns/shop/sa/crashed", "no pod of shop/crashed runs on node 'node-a'")]
    [InlineData("spiffe://other.domain/ns/shop/sa/web", "is not spiffe://cluster.local/")]
    [InlineData("shop/web", "is not spiffe://cluster.local/")]
    public async Task Authorize_IdentityNotOnTheCallersNode_IsRefused(string requested, string reason)
    {
        await SeedAsync();

        var granted = Authorizer().Authorize(Ztunnel(), requested, out var failure);

        Assert.Null(granted);
        Assert.Contains(reason, failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_UntrustedAccount_IsRefused()
    {
        await SeedAsync();
        var caller = Ztunnel() with { Id = new SpiffeId("cluster.local", "shop", "web"), PodName = "web-1", PodUid = "uid-web" };

        Assert.Null(Authorizer().Authorize(caller, "spiffe://cluster.local/ns/shop/sa/web", out var failure));
        Assert.Contains("not a trusted node account", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_NoTrustedAccountsConfigured_IsRefused()
    {
        await SeedAsync();

        Assert.Null(Authorizer(trusted: string.Empty).Authorize(Ztunnel(), "spiffe://cluster.local/ns/shop/sa/web", out var failure));
        Assert.Contains("impersonation is disabled", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "uid-z", "names no pod")]
    [InlineData("ztunnel-gone", "uid-z", "is not known")]
    [InlineData("ztunnel-a", "uid-of-a-previous-pod", "has UID 'uid-z'")]
    [InlineData("ztunnel-a", "", "has UID 'uid-z'")]
    public async Task Authorize_CallerPodNotAsTheCredentialSays_IsRefused(string podName, string podUid, string reason)
    {
        await SeedAsync();

        Assert.Null(Authorizer().Authorize(Ztunnel() with { PodName = podName, PodUid = podUid }, "spiffe://cluster.local/ns/shop/sa/web", out var failure));
        Assert.Contains(reason, failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_CallerPodInAnotherCluster_IsRefused()
    {
        await SeedAsync();

        Assert.Null(Authorizer().Authorize(Ztunnel() with { Cluster = "remote" }, "spiffe://cluster.local/ns/shop/sa/web", out var failure));
        Assert.Contains("is not known in cluster remote", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_PodLeftTheNode_IsRefusedFromThenOn()
    {
        await SeedAsync();
        var web = Pods.Make("shop", "web-1", "node-a", "web", uid: "uid-web");
        Assert.NotNull(Authorizer().Authorize(Ztunnel(), "spiffe://cluster.local/ns/shop/sa/web", out _));

        await Pods.DeleteAsync(_pods, web);

        Assert.Null(Authorizer().Authorize(Ztunnel(), "spiffe://cluster.local/ns/shop/sa/web", out _));
    }

    private static CallerIdentity Ztunnel() => new()
    {
        Id = new SpiffeId("cluster.local", "istio-system", "ztunnel"),
        Source = AuthSource.KubernetesToken,
        Cluster = "Kubernetes",
        PodName = "ztunnel-a",
        PodUid = "uid-z",
    };

    private Task SeedAsync() => Pods.ApplyAsync(
        _pods,
        Pods.Make("istio-system", "ztunnel-a", "node-a", "ztunnel", uid: "uid-z"),
        Pods.Make("istio-system", "ztunnel-b", "node-b", "ztunnel", uid: "uid-zb"),
        Pods.Make("shop", "web-1", "node-a", "web", uid: "uid-web"),
        Pods.Make("shop", "db-1", "node-b", "db", uid: "uid-db"),
        Pods.Make("shop", "crashed-1", "node-a", "crashed", phase: "Failed"),
        Pods.Make("evil", "web-1", "node-b", "web"));

    private NodeAuthorizer Authorizer(string trusted = "istio-system/ztunnel") =>
        new(_pods, new MeshSettings(), Options.Create(new CaOptions { TrustedNodeAccounts = trusted }));
}
