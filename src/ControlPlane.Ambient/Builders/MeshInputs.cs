using ControlPlane.Ambient.Model;
using Istio.Workload;

namespace ControlPlane.Ambient.Builders;

/// <summary>The mesh-wide inputs every namespace's build depends on (held by the mesh grain).</summary>
public sealed record MeshInputs
{
    public required MeshSettings Settings { get; init; }

    /// <summary>The local cluster's network: label <c>topology.istio.io/network</c> of the system namespace.</summary>
    public string Network { get; init; } = string.Empty;

    /// <summary>Node name → locality, for nodes that have topology labels.</summary>
    public IReadOnlyDictionary<string, Locality> NodeLocalities { get; init; } = new Dictionary<string, Locality>();

    /// <summary>Derives the mesh-wide inputs from the system namespace and the nodes.</summary>
    public static MeshInputs From(MeshSettings settings, KubeNamespace? systemNamespace, IEnumerable<KubeNode> nodes)
    {
        var localities = new Dictionary<string, Locality>(StringComparer.Ordinal);
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
}
