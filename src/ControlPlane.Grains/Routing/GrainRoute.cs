using ControlPlane.Ambient.Model;

namespace ControlPlane.Grains.Routing;

/// <summary>
/// Which grains own an object: the one routing rule, used by the sink to deliver changes and by the
/// local store to hand each grain its objects. Mesh-wide kinds go to the mesh grain: Nodes, Gateways and
/// GatewayClasses only there; the system Namespace, root-namespace AuthorizationPolicies and every
/// PeerAuthentication there and to their namespace's grain. Everything else goes to the grain of its
/// namespace (a Namespace object to its own grain).
/// </summary>
/// <param name="Mesh">The mesh grain holds the object.</param>
/// <param name="Namespace">The namespace grain that holds it, or null.</param>
public readonly record struct GrainRoute(bool Mesh, string? Namespace)
{
    public static GrainRoute Of(ObjectKey key, MeshSettings settings) => key.Kind switch
    {
        Kinds.Node or Kinds.Gateway or Kinds.GatewayClass => new(true, null),
        Kinds.Namespace => new(key.Name == settings.RootNamespace, key.Name),
        Kinds.AuthorizationPolicy => new(key.Namespace == settings.RootNamespace, key.Namespace),
        Kinds.PeerAuthentication => new(true, key.Namespace),
        _ => new(false, key.Namespace),
    };
}
