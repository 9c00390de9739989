using System.Diagnostics;
using System.IO.Hashing;
using System.Text;
using Envoy.Service.Discovery.V3;
using Authorization = Istio.Security.Authorization;
using Istio.Workload;

namespace ControlPlane.Bench.Load;

/// <summary>
/// A DeltaDiscoveryResponse as the load tool sees it: type, nonce, counts and where each resource sits
/// in the received bytes. Resource bodies are never decoded unless a sample is asked for.
/// </summary>
public sealed class DeltaResponseView
{
    private const int ResourcesField = 2;
    private const int TypeUrlField = 4;
    private const int NonceField = 5;
    private const int RemovedResourcesField = 6;
    private const int ResourceVersionField = 1;
    private const int ResourceNameField = 3;
    private const int ResourceAnyField = 2;
    private const int AnyValueField = 2;

    private readonly byte[] _payload;
    private readonly List<(int Offset, int Length)> _resources = [];
    private readonly List<(int Offset, int Length)> _removed = [];

    private DeltaResponseView(byte[] payload, long receivedAt)
    {
        _payload = payload;
        ReceivedAt = receivedAt;
        var reader = new WireReader(payload);
        var typeUrl = string.Empty;
        var nonce = string.Empty;
        while (!reader.End)
        {
            var (field, wireType) = reader.ReadTag();
            if (wireType != 2)
            {
                reader.Skip(wireType);
                continue;
            }
            var bytes = reader.ReadBytes();
            var offset = reader.Position - bytes.Length;
            switch (field)
            {
                case ResourcesField:
                    _resources.Add((offset, bytes.Length));
                    break;
                case RemovedResourcesField:
                    _removed.Add((offset, bytes.Length));
                    break;
                case TypeUrlField:
                    typeUrl = Encoding.UTF8.GetString(bytes);
                    break;
                case NonceField:
                    nonce = Encoding.UTF8.GetString(bytes);
                    break;
            }
        }
        TypeUrl = typeUrl;
        Nonce = nonce;
    }

    public string TypeUrl { get; }

    public string Nonce { get; }

    public int ResourceCount => _resources.Count;

    public int RemovedCount => _removed.Count;

    public int Bytes => _payload.Length;

    /// <summary>When the whole response had arrived (<see cref="Stopwatch"/> ticks).</summary>
    public long ReceivedAt { get; }

    public static DeltaResponseView Parse(byte[] payload) => Parse(payload, Stopwatch.GetTimestamp());

    /// <summary>A response that had arrived whole at <paramref name="receivedAt"/>.</summary>
    public static DeltaResponseView Parse(byte[] payload, long receivedAt) => new(payload, receivedAt);

    /// <summary>Name of updated resource <paramref name="index"/> (allocates a string).</summary>
    public string ResourceName(int index)
    {
        var (offset, length) = _resources[index];
        return Encoding.UTF8.GetString(NameOf(_payload.AsSpan(offset, length)));
    }

    public string RemovedName(int index)
    {
        var (offset, length) = _removed[index];
        return Encoding.UTF8.GetString(_payload, offset, length);
    }

    /// <summary>
    /// Checks that resource <paramref name="index"/>'s version is the content hash of its body, as the
    /// server promises (XxHash64 of the encoded resource, lower-case hex), without decoding the body.
    /// </summary>
    public bool VersionMatchesBody(int index)
    {
        var (offset, length) = _resources[index];
        var resource = _payload.AsSpan(offset, length);
        Span<byte> expected = stackalloc byte[16];
        var hash = XxHash64.HashToUInt64(BodyOf(resource));
        if (!hash.TryFormat(expected, out var written, "x16") || written != 16)
        {
            return false;
        }
        return VersionOf(resource).SequenceEqual(expected);
    }

    /// <summary>Decodes the Address inside resource <paramref name="index"/> (a sample: the load tool never decodes them all).</summary>
    public Address DecodeAddress(int index) => Address.Parser.ParseFrom(BodyAt(index));

    /// <summary>Decodes the Authorization inside resource <paramref name="index"/>.</summary>
    public Authorization DecodeAuthorization(int index) => Authorization.Parser.ParseFrom(BodyAt(index));

    private ReadOnlySpan<byte> BodyAt(int index)
    {
        var (offset, length) = _resources[index];
        return BodyOf(_payload.AsSpan(offset, length));
    }

    /// <summary>True when a resource of this name (UTF-8) is among the updated ones.</summary>
    public bool ContainsResource(ReadOnlySpan<byte> utf8Name)
    {
        foreach (var (offset, length) in _resources)
        {
            if (NameOf(_payload.AsSpan(offset, length)).SequenceEqual(utf8Name))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Name and version of every updated resource (allocates strings: for tracking, not for counting).</summary>
    public IEnumerable<(string Name, string Version)> ReadVersions()
    {
        foreach (var (offset, length) in _resources)
        {
            var (name, version) = NameAndVersion(_payload.AsSpan(offset, length));
            yield return (name, version);
        }
    }

    public IEnumerable<string> ReadRemoved()
    {
        foreach (var (offset, length) in _removed)
        {
            yield return Encoding.UTF8.GetString(_payload, offset, length);
        }
    }

    /// <summary>Fully decodes one resource, to check that what the counts describe is well formed.</summary>
    public Resource DecodeSample(int index)
    {
        var (offset, length) = _resources[index];
        return Resource.Parser.ParseFrom(_payload, offset, length);
    }

    private static ReadOnlySpan<byte> NameOf(ReadOnlySpan<byte> resource) => Field(resource, ResourceNameField);

    private static ReadOnlySpan<byte> VersionOf(ReadOnlySpan<byte> resource) => Field(resource, ResourceVersionField);

    /// <summary>The resource's body: the value of its Any.</summary>
    private static ReadOnlySpan<byte> BodyOf(ReadOnlySpan<byte> resource) => Field(Field(resource, ResourceAnyField), AnyValueField);

    private static ReadOnlySpan<byte> Field(ReadOnlySpan<byte> message, int number)
    {
        var reader = new WireReader(message);
        while (!reader.End)
        {
            var (field, wireType) = reader.ReadTag();
            if (field == number && wireType == 2)
            {
                return reader.ReadBytes();
            }
            reader.Skip(wireType);
        }
        return [];
    }

    private static (string Name, string Version) NameAndVersion(ReadOnlySpan<byte> resource)
    {
        var reader = new WireReader(resource);
        string name = string.Empty, version = string.Empty;
        while (!reader.End)
        {
            var (field, wireType) = reader.ReadTag();
            if (wireType == 2 && field == ResourceNameField)
            {
                name = Encoding.UTF8.GetString(reader.ReadBytes());
            }
            else if (wireType == 2 && field == ResourceVersionField)
            {
                version = Encoding.UTF8.GetString(reader.ReadBytes());
            }
            else
            {
                reader.Skip(wireType);
            }
        }
        return (name, version);
    }
}
