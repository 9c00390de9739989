using ControlPlane.Bench.Load;
using ControlPlane.Xds;
using ControlPlane.Xds.Resources;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Istio.Workload;

namespace ControlPlane.Bench.Tests.Load;

public sealed class DeltaResponseViewTests
{
    private static readonly XdsResource First = Resource("Kubernetes//Pod/ns-0000/a", "c1");
    private static readonly XdsResource Second = Resource("Kubernetes//Pod/ns-0000/b", "c2");

    [Fact]
    public void Parse_Response_CountsNamesAndRemovals()
    {
        var view = DeltaResponseView.Parse(Encode(Delta(First), Delta(Second)));

        Assert.Equal(TypeUrls.Address, view.TypeUrl);
        Assert.Equal("n-1", view.Nonce);
        Assert.Equal(2, view.ResourceCount);
        Assert.Equal([First.Name, Second.Name], [view.ResourceName(0), view.ResourceName(1)]);
        Assert.Equal(1, view.RemovedCount);
        Assert.Equal("Kubernetes//Pod/ns-0000/gone", view.RemovedName(0));
        Assert.Equal([(First.Name, First.Version), (Second.Name, Second.Version)], view.ReadVersions());
    }

    [Fact]
    public void VersionMatchesBody_ServerVersions_AreTheContentHash()
    {
        var view = DeltaResponseView.Parse(Encode(Delta(First), Delta(Second)));

        Assert.True(view.VersionMatchesBody(0));
        Assert.True(view.VersionMatchesBody(1));
    }

    [Fact]
    public void VersionMatchesBody_VersionOfAnotherBody_IsFalse()
    {
        var wrong = Delta(First).Clone();
        wrong.Version = Second.Version;

        Assert.False(DeltaResponseView.Parse(Encode(wrong)).VersionMatchesBody(0));
    }

    [Fact]
    public void DecodeAddress_SampledResource_IsTheWorkloadSent()
    {
        var view = DeltaResponseView.Parse(Encode(Delta(First), Delta(Second)));

        Assert.Equal("c2", view.DecodeAddress(1).Workload.CanonicalRevision);
    }

    private static XdsResource Resource(string name, string revision) =>
        XdsResource.Create(TypeUrls.Address, name, new Address { Workload = new Workload { Uid = name, Name = name, CanonicalRevision = revision } });

    // The resource as the server writes it: its DeltaDiscoveryResponse.resources entry.
    private static Envoy.Service.Discovery.V3.Resource Delta(XdsResource resource)
    {
        var entry = new byte[resource.DeltaResourceLength];
        resource.WriteDeltaResource(entry);
        return DeltaDiscoveryResponse.Parser.ParseFrom(entry).Resources.Single();
    }

    private static byte[] Encode(params Envoy.Service.Discovery.V3.Resource[] resources) =>
        new DeltaDiscoveryResponse
        {
            TypeUrl = TypeUrls.Address,
            Nonce = "n-1",
            SystemVersionInfo = "7",
            Resources = { resources },
            RemovedResources = { "Kubernetes//Pod/ns-0000/gone" },
        }.ToByteArray();
}
