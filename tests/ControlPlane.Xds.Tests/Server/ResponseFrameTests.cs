using System.Buffers;
using ControlPlane.Xds.Resources;
using ControlPlane.Xds.Server;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.Xds.Tests.Server;

/// <summary>The hand-written response encoding is byte for byte what Google.Protobuf writes, so every client reads it.</summary>
public sealed class ResponseFrameTests
{
    private static readonly Envoy.Config.Core.V3.ControlPlane Identity = new() { Identifier = "controlplane" };

    public static TheoryData<int, string[]> Shapes => new()
    {
        { 0, [] },
        { 3, [] },
        { 0, ["gone"] },
        { 5, ["gone", "naïve/ünïcödé", new string('r', 300)] },
        { 400, ["x"] },
        { 3_000, [] },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DeltaFrame_IsWhatGoogleProtobufWritesForTheSameResponse(int resourceCount, string[] removed)
    {
        var resources = Resources(resourceCount);
        var frame = new DeltaResponseFrame(TypeUrls.Address, "c7-2a", "1234", resources, removed);

        var expected = new DeltaDiscoveryResponse
        {
            SystemVersionInfo = "1234",
            TypeUrl = TypeUrls.Address,
            Nonce = "c7-2a",
            ControlPlane = Identity,
        };
        expected.Resources.AddRange(resources.Select(r => new Resource { Name = r.Name, Version = r.Version, Resource_ = new Any { TypeUrl = r.TypeUrl, Value = r.Body } }));
        expected.RemovedResources.AddRange(removed);

        var size = frame.CalculateSize();
        var written = Write(size, output => frame.WriteTo(output));
        Assert.Equal(expected.ToByteArray(), written);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(400)]
    [InlineData(3_000)]
    public void SotwFrame_IsWhatGoogleProtobufWritesForTheSameResponse(int resourceCount)
    {
        var resources = Resources(resourceCount);
        var frame = new SotwResponseFrame(TypeUrls.Address, "00ff00ff00ff00ff", "c7-2b", resources);

        var expected = new DiscoveryResponse { VersionInfo = "00ff00ff00ff00ff", TypeUrl = TypeUrls.Address, Nonce = "c7-2b", ControlPlane = Identity };
        expected.Resources.AddRange(resources.Select(r => new Any { TypeUrl = r.TypeUrl, Value = r.Body }));

        var size = frame.CalculateSize();
        var written = Write(size, output => frame.WriteTo(output));
        Assert.Equal(expected.ToByteArray(), written);
    }

    [Fact]
    public void DeltaFrame_AsksTheOutputForNoMoreThanAResourceHeadAtATime()
    {
        // A response pipe hands out the blocks of its pool (4 KB) for small asks and a fresh array for large
        // ones. The largest piece asked for in one go: a resource's head (tags, lengths, version, type URL) or name.
        var resources = Resources(400);
        var frame = new DeltaResponseFrame(TypeUrls.Address, "c7-2c", "1234", resources, []);
        var writer = new SmallSegmentWriter();

        frame.WriteTo(writer);

        Assert.Equal(frame.CalculateSize(), writer.Written.Count);
        Assert.InRange(writer.LargestAsk, 1, 128);
    }

    /// <summary>Writes through a buffer writer handing out segments no larger than asked for, so resources straddle segments.</summary>
    private static byte[] Write(int size, Action<IBufferWriter<byte>> write)
    {
        var writer = new SmallSegmentWriter();
        write(writer);
        Assert.Equal(size, writer.Written.Count);
        return [.. writer.Written];
    }

    private static List<XdsResource> Resources(int count) =>
        [.. Enumerable.Range(0, count).Select(i => XdsResource.Create(TypeUrls.Address, $"r{i}", new Istio.Workload.Address
        {
            Workload = new Istio.Workload.Workload { Uid = $"r{i}", Name = new string('w', i * 7 % 500) },
        }))];

    private sealed class SmallSegmentWriter : IBufferWriter<byte>
    {
        private byte[] _segment = [];

        public List<byte> Written { get; } = [];

        public void Advance(int count) => Written.AddRange(_segment.AsSpan(0, count).ToArray());

        public int LargestAsk { get; private set; }

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            LargestAsk = Math.Max(LargestAsk, sizeHint);
            return _segment = new byte[Math.Max(sizeHint, 7)];
        }

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
    }
}
