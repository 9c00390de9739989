using ControlPlane.Bench.Churn;
using ControlPlane.Bench.Mesh;
using ControlPlane.Kubernetes.Manifests;
using Istio.Security;
using Address = Istio.Workload.Address;
using Istio.Workload;

namespace ControlPlane.Bench.Tests.Churn;

public sealed class ChangeMarkerTests
{
    [Fact]
    public void Read_WorkloadWithMarkedRevision_ReturnsMarker() =>
        Assert.Equal(42, ChangeMarker.Read(new Address { Workload = new Workload { CanonicalRevision = ChangeMarker.Revision(42) } }));

    [Theory]
    [InlineData("v1")]
    [InlineData("latest")]
    [InlineData("c")]
    [InlineData("c-1")]
    public void Read_WorkloadWithOrdinaryRevision_ReturnsMinusOne(string revision) =>
        Assert.Equal(-1, ChangeMarker.Read(new Address { Workload = new Workload { CanonicalRevision = revision } }));

    [Fact]
    public void Read_ServiceWithMarkedPort_ReturnsMarker()
    {
        var service = new Service { Ports = { new Port { ServicePort = 80, TargetPort = 0 }, new Port { ServicePort = 9090, TargetPort = 20_017 } } };

        Assert.Equal(17, ChangeMarker.Read(new Address { Service = service }));
    }

    [Fact]
    public void Read_AuthorizationWithMarkedPort_ReturnsMarker()
    {
        var authorization = new Authorization
        {
            Groups = { new Group { Rules = { new Rules { Matches = { new Match { DestinationPorts = { 8080, 20_031 } } } } } } },
        };

        Assert.Equal(31, ChangeMarker.Read(authorization));
        Assert.Equal(-1, ChangeMarker.Read(new Authorization()));
    }

    [Fact]
    public void TargetPort_BeyondPortRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ChangeMarker.TargetPort(ChangeMarker.MaxMarker + 1));

    [Fact]
    public void Read_GeneratedObjectsThroughTheManifestReader_ReturnsTheirMarkers()
    {
        var mesh = new MeshGenerator(MeshShape.ForPods(100));
        var service = mesh.Service(3);
        var pod = mesh.Pod(7);
        var yaml = string.Join("---\n", ManifestYaml.Pod(pod, marker: 123), ManifestYaml.Service(service, marker: 456), ManifestYaml.Pod(mesh.Pod(8)),
            ManifestYaml.Policy(mesh.Policy(0), marker: 789), ManifestYaml.Policy(mesh.Policy(0)));

        var objects = ManifestReader.Read("churn.yaml", yaml, "Kubernetes").Select(d => d.Object!).ToList();

        Assert.Equal([123L, 456L, -1L, 789L, -1L], objects.Select(ChangeMarker.Read));
    }
}
