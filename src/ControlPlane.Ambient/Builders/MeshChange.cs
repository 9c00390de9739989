using ControlPlane.Ambient.Collections;

namespace ControlPlane.Ambient.Builders;

/// <summary>What changed between two <see cref="MeshInputs"/>: a namespace rebuilds only what depends on it.</summary>
public sealed record MeshChange
{
    public static MeshChange All { get; } = new() { Everything = true };

    /// <summary>Settings or the network changed: every resource depends on them.</summary>
    public bool Everything { get; init; }

    /// <summary>Nodes whose locality changed.</summary>
    public IReadOnlySet<string> Nodes { get; init; } = new HashSet<string>();

    /// <summary>Old and new selectors of root-namespace selector policies that changed.</summary>
    public IReadOnlyList<StringMap> PolicySelectors { get; init; } = [];

    /// <summary>The mesh-wide mTLS mode changed.</summary>
    public bool PeerAuthentication { get; init; }

    /// <summary>Whether the static STRICT policy exists changed.</summary>
    public bool StaticPolicy { get; init; }

    /// <summary>Waypoints added, removed or changed (keys <c>namespace/name</c>).</summary>
    public IReadOnlySet<string> Waypoints { get; init; } = new HashSet<string>();

    /// <summary>ServiceEntry hosts whose canonical namespace changed.</summary>
    public IReadOnlySet<string> Hosts { get; init; } = new HashSet<string>();

    public bool IsEmpty =>
        !Everything && Nodes.Count == 0 && PolicySelectors.Count == 0 && !PeerAuthentication && !StaticPolicy &&
        Waypoints.Count == 0 && Hosts.Count == 0;
}
