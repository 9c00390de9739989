using ControlPlane.Kubernetes.Conversion;
using ControlPlane.Kubernetes.Informers;

namespace ControlPlane.Kubernetes.Tests.Informers;

public sealed class KubeResourcesTests
{
    [Fact]
    public void MeshObjects_EveryKindTheConverterKnows_IsWatched()
    {
        foreach (var apiVersionKind in KubeObjectConverter.SupportedKinds)
        {
            var kind = apiVersionKind[(apiVersionKind.LastIndexOf('/') + 1)..];
            var apiVersion = apiVersionKind[..apiVersionKind.LastIndexOf('/')];
            var group = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)] : "";
            Assert.True(
                KubeResources.MeshObjects.Any(r => r.Group == group && r.Kind == kind),
                $"the converter understands {apiVersionKind} but no informer watches {kind}.{group}");
        }
    }

    [Fact]
    public void MeshObjects_WatchedVersion_IsOneTheConverterKnows()
    {
        // Kinds the converter does not know yet (routes, inference pools) are watched and yield nothing.
        foreach (var resource in KubeResources.MeshObjects.Where(r => KubeObjectConverter.SupportedKinds.Any(k => k.EndsWith("/" + r.Kind, StringComparison.Ordinal))))
        {
            Assert.Contains(resource.ApiVersionKind, KubeObjectConverter.SupportedKinds);
        }
    }

    [Fact]
    public void RemoteClusters_WatchOnlyWhatRemoteClustersContribute()
    {
        Assert.Equal(
            ["endpointslices.discovery.k8s.io", "gateways.gateway.networking.k8s.io", "namespaces", "nodes", "pods", "services"],
            KubeResources.MeshObjectsFor(local: false).Select(r => r.ToString()).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(KubeResources.RemoteSecrets, KubeResources.MeshObjectsFor(local: true));
    }
}
