using ControlPlane.Testing;
using ControlPlane.Testing.Xds;
using ControlPlane.Xds.Resources;
using Envoy.Config.Core.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.Xds.Tests.Server;

/// <summary>
/// One test's private part of a shared server: its own table scope (proxies whose node names it are
/// served from it) and helpers to publish into it and wait until every stream has heard.
/// </summary>
public sealed class TestScope(TestControlPlane server)
{
    public string Id { get; } = Guid.NewGuid().ToString("n")[..12];

    public TestControlPlane Server => server;

    /// <summary>A ztunnel node served from this scope.</summary>
    public Node Ztunnel(string pod = "ztunnel") => Scoped(XdsNodes.Ztunnel(podName: $"{pod}-{Id}"));

    /// <summary>A proxyless gRPC node served from this scope.</summary>
    public Node Grpc(string pod = "client") => Scoped(XdsNodes.ProxylessGrpc(podName: $"{pod}-{Id}"));

    /// <summary>Adds this scope to <paramref name="node"/>'s metadata.</summary>
    public Node Scoped(Node node)
    {
        var scoped = node.Clone();
        scoped.Metadata ??= new Struct();
        scoped.Metadata.Fields[TestScopeSelector.MetadataKey] = Value.ForString(Id);
        return scoped;
    }

    public ResourceTable Table(string typeUrl) => server.Hub.GetTable(new TableKey(typeUrl, Id));

    /// <summary>Publishes resources to this scope and waits until every stream has been told.</summary>
    public Task PublishAsync(params XdsResource[] resources) =>
        server.Hub.PublishAndFlushAsync(new ResourceDelta(resources[0].TypeUrl, Id, resources, []));

    public Task RemoveAsync(string typeUrl, params string[] names) =>
        server.Hub.PublishAndFlushAsync(new ResourceDelta(typeUrl, Id, [], names));

    public Task ChangeAsync(string typeUrl, XdsResource[] updated, string[] removed) =>
        server.Hub.PublishAndFlushAsync(new ResourceDelta(typeUrl, Id, updated, removed));
}
