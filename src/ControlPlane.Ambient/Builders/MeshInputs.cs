using ControlPlane.Ambient.Model;

namespace ControlPlane.Ambient.Builders;

/// <summary>
/// The mesh-wide inputs every namespace's build depends on. Held by the mesh grain and sent to the
/// namespace grains whenever it changes (compared by content).
/// </summary>
[GenerateSerializer]
public sealed class MeshInputs : IEquatable<MeshInputs>
{
    [Id(0)]
    public required MeshSettings Settings { get; init; }

    /// <summary>The local cluster's network: label <c>topology.istio.io/network</c> of the system namespace.</summary>
    [Id(1)]
    public string Network { get; init; } = string.Empty;

    /// <summary>Node name → locality, for nodes that have topology labels.</summary>
    [Id(2)]
    public Dictionary<string, NodeLocality> NodeLocalities { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Derives the mesh-wide inputs from the system namespace and the nodes.</summary>
    public static MeshInputs From(MeshSettings settings, KubeNamespace? systemNamespace, IEnumerable<KubeNode> nodes)
    {
        var localities = new Dictionary<string, NodeLocality>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (node.Locality is { } locality)
            {
                localities[node.Meta.Name] = locality;
            }
        }
        return new MeshInputs
        {
            Settings = settings,
            Network = systemNamespace?.Meta.Labels.Get(WellKnown.NetworkLabel) ?? string.Empty,
            NodeLocalities = localities,
        };
    }

    public bool Equals(MeshInputs? other)
    {
        if (other is null || Settings != other.Settings || Network != other.Network || NodeLocalities.Count != other.NodeLocalities.Count)
        {
            return false;
        }
        foreach (var (node, locality) in NodeLocalities)
        {
            if (!other.NodeLocalities.TryGetValue(node, out var theirs) || theirs != locality)
            {
                return false;
            }
        }
        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as MeshInputs);

    public override int GetHashCode() => HashCode.Combine(Settings, Network, NodeLocalities.Count);
}
