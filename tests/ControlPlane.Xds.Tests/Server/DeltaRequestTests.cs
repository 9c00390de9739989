using System.Buffers;
using ControlPlane.Xds.Resources;
using ControlPlane.Xds.Server;
using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using static ControlPlane.Xds.Tests.Server.TestResources;

namespace ControlPlane.Xds.Tests.Server;

/// <summary>The delta request reader: every field as Google.Protobuf reads it, initial_resource_versions left encoded.</summary>
public sealed class DeltaRequestTests
{
    [Fact]
    public void Parse_RequestWithEveryField_ReadsWhatGoogleProtobufReads()
    {
        var original = new DeltaDiscoveryRequest
        {
            Node = new Node { Id = "ztunnel~10.0.0.1~zt.istio-system~istio-system.svc.cluster.local" },
            TypeUrl = TypeUrls.Address,
            ResourceNamesSubscribe = { "a", "*" },
            ResourceNamesUnsubscribe = { "b" },
            ResponseNonce = "n-1",
            ErrorDetail = new Google.Rpc.Status { Code = 3, Message = "bad" },
            InitialResourceVersions = { ["x"] = "0123456789abcdef", ["y"] = string.Empty, ["ü/ñ"] = "v" },
        };
        // An unknown field between the map entries, kept as Google.Protobuf keeps it.
        var bytes = Concat(original.ToByteArray(), [0xA0, 0x06, 0x07]);

        var request = Parse(bytes);
        var expected = DeltaDiscoveryRequest.Parser.ParseFrom(bytes);
        var expectedVersions = new Dictionary<string, string>(expected.InitialResourceVersions);
        expected.InitialResourceVersions.Clear();

        Assert.Equal(expected, request.Message);
        Assert.Equal(expected.ToByteArray(), request.Message.ToByteArray());
        Assert.Equal(expectedVersions, request.InitialResourceVersions.ToDictionary());
        Assert.Equal(3, request.InitialResourceVersions.Count);
    }

    [Fact]
    public void Parse_RepeatedKey_LastEntryWinsAndEveryEntryIsCounted()
    {
        var bytes = Concat(Entry("a", "1"), Entry("b", "2"), Entry("a", "3"));

        var request = Parse(bytes);

        Assert.Equal(new Dictionary<string, string> { ["a"] = "3", ["b"] = "2" }, request.InitialResourceVersions.ToDictionary());
        Assert.Equal(3, request.InitialResourceVersions.Count);
        Assert.Equal(DeltaDiscoveryRequest.Parser.ParseFrom(bytes).InitialResourceVersions, request.InitialResourceVersions.ToDictionary());
    }

    [Fact]
    public void Parse_EntriesMissingKeyOrValueOrCarryingUnknownFields_ReadAsGoogleProtobufReadsThem()
    {
        byte[] keyOnly = [0x0A, 0x01, (byte)'k'];
        byte[] valueOnly = [0x12, 0x01, (byte)'v'];
        byte[] withUnknown = [0x18, 0x05, 0x0A, 0x01, (byte)'u', 0x25, 1, 2, 3, 4, 0x12, 0x01, (byte)'w', 0x0A, 0x01, (byte)'z'];
        var bytes = Concat(Field(5, keyOnly), Field(5, valueOnly), Field(5, withUnknown), Field(5, []));

        var request = Parse(bytes);

        Assert.Equal(DeltaDiscoveryRequest.Parser.ParseFrom(bytes).InitialResourceVersions, request.InitialResourceVersions.ToDictionary());
        Assert.Null(request.InitialResourceVersions.Fingerprint);
    }

    [Fact]
    public void Parse_FieldFiveOfAnotherWireType_IsKeptAsAnUnknownField()
    {
        byte[] bytes = [0x28, 0x01, .. Entry("a", "1")];

        var request = Parse(bytes);

        Assert.Equal(DeltaDiscoveryRequest.Parser.ParseFrom([0x28, 0x01]), request.Message);
        Assert.Equal(1, request.InitialResourceVersions.Count);
    }

    [Theory]
    [InlineData(new byte[] { 0x2A, 0x05, 0x0A, 0x01, (byte)'a' })] // entry longer than the request
    [InlineData(new byte[] { 0x2A, 0x03, 0x0A, 0x05, (byte)'a' })] // key longer than its entry
    [InlineData(new byte[] { 0x2A, 0x02, 0x0A, 0x80 })] // truncated varint inside the entry
    [InlineData(new byte[] { 0x2A, 0x02, 0x0F, 0x00 })] // wire type 7
    [InlineData(new byte[] { 0x2A, 0x02, 0x1B, 0x00 })] // unterminated group
    [InlineData(new byte[] { 0x2A, 0x01, 0x00 })] // tag 0
    [InlineData(new byte[] { 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01 })] // garbage outside the map
    public void Parse_MalformedRequest_ThrowsAsGoogleProtobufDoes(byte[] bytes)
    {
        Assert.ThrowsAny<InvalidProtocolBufferException>(() => DeltaDiscoveryRequest.Parser.ParseFrom(bytes));
        Assert.ThrowsAny<InvalidProtocolBufferException>(() => Parse(bytes));
    }

    [Fact]
    public void Parse_EntriesHoldingATable_SumToItsSnapshotFingerprint()
    {
        var table = new ResourceTable(TableKey.Global(TypeUrls.Address));
        var original = new DeltaDiscoveryRequest { TypeUrl = TypeUrls.Address };
        for (var i = 0; i < 200_000; i++)
        {
            var resource = Address($"Kubernetes//Pod/ns-{i % 997}/pod-{i}");
            table.Set(resource, revision: 1);
            original.InitialResourceVersions[resource.Name] = resource.Version;
        }

        var request = Parse(original.ToByteArray());

        Assert.Equal(200_000, request.InitialResourceVersions.Count);
        Assert.Equal(table.Snapshot().Fingerprint, request.InitialResourceVersions.Fingerprint);
        Assert.Equal(TypeUrls.Address, request.Message.TypeUrl);
        Assert.Empty(request.Message.InitialResourceVersions);
    }

    [Fact]
    public void Parse_EntriesLaidOutOtherwise_SumToTheSameFingerprint()
    {
        // Names of 128 bytes and more take a two-byte length, and a map entry may carry its value first:
        // such entries are read field by field rather than in place, with the same fingerprint.
        var resources = new[] { Address("short"), Address(new string('n', 127)), Address(new string('l', 128)), Address(new string('m', 3000)) };
        var table = new ResourceTable(TableKey.Global(TypeUrls.Address));
        var map = new DeltaDiscoveryRequest { TypeUrl = TypeUrls.Address };
        foreach (var resource in resources[..^1])
        {
            table.Set(resource, revision: 1);
            map.InitialResourceVersions[resource.Name] = resource.Version;
        }
        var last = resources[^1];
        table.Set(last, revision: 1);
        var valueFirst = Concat(Field(2, System.Text.Encoding.ASCII.GetBytes(last.Version)), LongField(1, System.Text.Encoding.ASCII.GetBytes(last.Name)));
        var bytes = Concat(map.ToByteArray(), LongField(5, valueFirst));

        var request = Parse(bytes);

        Assert.Equal(4, request.InitialResourceVersions.Count);
        Assert.Equal(table.Snapshot().Fingerprint, request.InitialResourceVersions.Fingerprint);
        Assert.Equal(DeltaDiscoveryRequest.Parser.ParseFrom(bytes).InitialResourceVersions, request.InitialResourceVersions.ToDictionary());
    }

    [Fact]
    public void Parse_FieldsBetweenEntries_AreReadInWireOrder()
    {
        // The nonce before the map, then an entry, then another nonce and an unknown field, then an entry:
        // the later nonce wins and the unknown field is kept, as when Google.Protobuf reads the whole.
        var bytes = Concat(
            Field(6, "first"u8.ToArray()), Entry("a", "0123456789abcdef"), Field(6, "second"u8.ToArray()), [0xA0, 0x06, 0x07],
            Entry("b", "fedcba9876543210"), Field(2, System.Text.Encoding.ASCII.GetBytes(TypeUrls.Address)));

        var request = Parse(bytes);
        var expected = DeltaDiscoveryRequest.Parser.ParseFrom(bytes);
        expected.InitialResourceVersions.Clear();

        Assert.Equal(expected, request.Message);
        Assert.Equal("second", request.Message.ResponseNonce);
        Assert.Equal(expected.ToByteArray(), request.Message.ToByteArray());
        Assert.Equal(2, request.InitialResourceVersions.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0123456789ABCDEF")]
    [InlineData("0123456789abcde")]
    [InlineData("0123456789abcdefa")]
    [InlineData("0123456789abcdeg")]
    public void Parse_AVersionThatIsNoContentHash_LeavesNoFingerprint(string version)
    {
        var request = Parse(Concat(Entry("a", "0123456789abcdef"), Entry("b", version)));

        Assert.Null(request.InitialResourceVersions.Fingerprint);
    }

    [Fact]
    public void Parse_RequestWithoutVersions_IsReadByGoogleProtobufAlone()
    {
        var original = new DeltaDiscoveryRequest { TypeUrl = TypeUrls.Address, ResponseNonce = "n" };

        var request = Parse(original.ToByteArray());

        Assert.Equal(original, request.Message);
        Assert.Equal(0, request.InitialResourceVersions.Count);
    }

    private static DeltaRequest Parse(byte[] bytes)
    {
        // Split in two segments, as a request read from several HTTP/2 frames can be.
        var first = new Segment(bytes.AsMemory(0, bytes.Length / 2));
        var last = first.Append(bytes.AsMemory(bytes.Length / 2));
        return DeltaRequest.Parse(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length));
    }

    private static byte[] Entry(string key, string value)
    {
        var entry = new DeltaDiscoveryRequest { InitialResourceVersions = { [key] = value } };
        return entry.ToByteArray();
    }

    private static byte[] Field(int field, byte[] payload) => [(byte)((field << 3) | 2), (byte)payload.Length, .. payload];

    /// <summary>A length-delimited field whose length may take more than one byte.</summary>
    private static byte[] LongField(int field, byte[] payload)
    {
        var length = new List<byte>();
        for (var value = (uint)payload.Length; ; value >>= 7)
        {
            if (value < 0x80)
            {
                length.Add((byte)value);
                break;
            }
            length.Add((byte)(value | 0x80));
        }
        return [(byte)((field << 3) | 2), .. length, .. payload];
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
