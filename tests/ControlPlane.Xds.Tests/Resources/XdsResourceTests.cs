using ControlPlane.Xds.Resources;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.Xds.Tests.Resources;

public sealed class XdsResourceTests
{
    public static TheoryData<string, int> Shapes => new()
    {
        { "plain", 300 },
        { "empty-body", 0 },
        { "naïve/ünïcödé/名前", 40 },
        { new string('n', 200), 20 },
        { "large", 70_000 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void WriteDeltaResource_IsWhatGoogleProtobufWritesForTheResourcesEntry(string name, int bodyLength)
    {
        var body = Body(bodyLength);
        var resource = new XdsResource(TypeUrls.Address, name, body);

        var expected = new DeltaDiscoveryResponse
        {
            Resources = { new Resource { Name = name, Version = resource.Version, Resource_ = new Any { TypeUrl = TypeUrls.Address, Value = body } } },
        }.ToByteArray();

        var written = new byte[resource.DeltaResourceLength];
        resource.WriteDeltaResource(written);
        Assert.Equal(expected, written);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void WriteAny_IsWhatGoogleProtobufWritesForTheResourcesEntry(string name, int bodyLength)
    {
        var body = Body(bodyLength);
        var resource = new XdsResource(TypeUrls.Cluster, name, body);

        var expected = new DiscoveryResponse { Resources = { new Any { TypeUrl = TypeUrls.Cluster, Value = body } } }.ToByteArray();

        var written = new byte[resource.AnyLength];
        resource.WriteAny(written);
        Assert.Equal(expected, written);
    }

    [Fact]
    public void Body_IsTheEncodedMessageAndTheVersionItsHash()
    {
        var body = Body(123);
        var resource = new XdsResource(TypeUrls.Address, "a", body);

        Assert.Equal(body, resource.Body);
        Assert.Equal(System.IO.Hashing.XxHash64.HashToUInt64(body.Span).ToString("x16", System.Globalization.CultureInfo.InvariantCulture), resource.Version);
    }

    [Fact]
    public void Fingerprint_DependsOnNameAndContent()
    {
        var body = Body(10);

        Assert.Equal(new XdsResource(TypeUrls.Address, "a", body).Fingerprint, new XdsResource(TypeUrls.Address, "a", body).Fingerprint);
        Assert.NotEqual(new XdsResource(TypeUrls.Address, "a", body).Fingerprint, new XdsResource(TypeUrls.Address, "b", body).Fingerprint);
        Assert.NotEqual(new XdsResource(TypeUrls.Address, "a", body).Fingerprint, new XdsResource(TypeUrls.Address, "a", Body(11)).Fingerprint);
    }

    private static ByteString Body(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 31 + 7);
        }
        return ByteString.CopyFrom(bytes);
    }
}
