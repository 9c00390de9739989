using System.Text;
using Envoy.Service.Discovery.V3;

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

    private readonly byte[] _payload;
    private readonly List<(int Offset, int Length)> _resources = [];
    private readonly List<(int Offset, int Length)> _removed = [];

    private DeltaResponseView(byte[] payload)
    {
        _payload = payload;
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

    public static DeltaResponseView Parse(byte[] payload) => new(payload);

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

    private static ReadOnlySpan<byte> NameOf(ReadOnlySpan<byte> resource)
    {
        var reader = new WireReader(resource);
        while (!reader.End)
        {
            var (field, wireType) = reader.ReadTag();
            if (field == ResourceNameField && wireType == 2)
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
