using System.Net;
using ControlPlane.Testing.Xds;
using ControlPlane.Xds.Proxy;
using Envoy.Config.Core.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.Xds.Tests.Proxy;

public sealed class ProxyNodeTests
{
    [Fact]
    public void TryParse_ZtunnelNode_ReadsIdPartsAndMetadata()
    {
        Assert.True(ProxyNode.TryParse(XdsNodes.Ztunnel(nodeName: "node-7", ip: "10.0.0.9", podName: "ztunnel-abc", istioVersion: "1.28.0"), out var proxy, out var error), error);

        Assert.Equal(ProxyKind.Ztunnel, proxy.Kind);
        Assert.Equal("ztunnel-abc", proxy.PodName);
        Assert.Equal("istio-system", proxy.Namespace);
        Assert.Equal("istio-system.svc.cluster.local", proxy.DnsDomain);
        Assert.Equal([IPAddress.Parse("10.0.0.9")], proxy.IpAddresses);
        Assert.Equal("node-7", proxy.NodeName);
        Assert.Equal("Kubernetes", proxy.ClusterId);
        Assert.Equal("1.28.0", proxy.IstioVersion);
    }

    [Theory]
    [InlineData("ztunnel", null, ProxyKind.Ztunnel)]
    [InlineData("waypoint", null, ProxyKind.Waypoint)]
    [InlineData("router", null, ProxyKind.Router)]
    [InlineData("sidecar", null, ProxyKind.Sidecar)]
    [InlineData("sidecar", "grpc", ProxyKind.ProxylessGrpc)]
    public void TryParse_NodeType_SetsTheKind(string type, string? generator, ProxyKind kind)
    {
        var node = new Node { Id = $"{type}~10.0.0.1~pod.ns~ns.svc.cluster.local", Metadata = new Struct() };
        if (generator is not null)
        {
            node.Metadata.Fields["GENERATOR"] = Value.ForString(generator);
        }

        Assert.True(ProxyNode.TryParse(node, out var proxy, out var error), error);
        Assert.Equal(kind, proxy.Kind);
    }

    [Fact]
    public void TryParse_InstanceIpsMetadata_TakesPrecedenceOverTheIdAndMayListSeveral()
    {
        var node = new Node { Id = "sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local", Metadata = new Struct() };
        node.Metadata.Fields["INSTANCE_IPS"] = Value.ForString("10.0.0.2, fd00::2");
        node.Metadata.Fields["NAMESPACE"] = Value.ForString("other");

        Assert.True(ProxyNode.TryParse(node, out var proxy, out var error), error);
        Assert.Equal([IPAddress.Parse("10.0.0.2"), IPAddress.Parse("fd00::2")], proxy.IpAddresses);
        Assert.Equal("other", proxy.Namespace);
    }

    [Theory]
    [InlineData("ztunnel~10.0.0.1~pod.ns", "must have 4 parts")]
    [InlineData("gateway~10.0.0.1~pod.ns~ns.svc.cluster.local", "unknown proxy type 'gateway'")]
    [InlineData("ztunnel~10.0.0.300~pod.ns~ns.svc.cluster.local", "invalid IP '10.0.0.300'")]
    [InlineData("ztunnel~10.0.0.1~pod~ns.svc.cluster.local", "pod.namespace")]
    public void TryParse_MalformedId_FailsWithAReason(string id, string reason)
    {
        Assert.False(ProxyNode.TryParse(new Node { Id = id }, out var proxy, out var error));
        Assert.Null(proxy);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_NoNode_Fails()
    {
        Assert.False(ProxyNode.TryParse(null, out _, out var error));
        Assert.Contains("must carry a node", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_HugeId_IsTruncatedInTheReason()
    {
        Assert.False(ProxyNode.TryParse(new Node { Id = new string('x', 100_000) }, out _, out var error));
        Assert.True(error.Length < 500, $"reason of {error.Length} characters");
    }
}
