using ControlPlane.Ambient.Model;

namespace ControlPlane.Ambient.Builders;

/// <summary>
/// The whole mesh built at once from a set of objects: what the grains produce incrementally. Used for
/// golden tests and to check the grains against it.
/// </summary>
public static class MeshBuilder
{
    public static IReadOnlyList<AmbientResource> BuildAll(IEnumerable<IMeshObject> objects, MeshSettings settings)
    {
        var all = objects.ToList();
        var namespaces = NamespacesOf(all, settings);
        // Host claims depend only on each namespace's own entries, so a first pass can compute them.
        var preliminary = Inputs(all, settings, []);
        var claims = namespaces.SelectMany(inputs => new NamespaceView(inputs, preliminary).HostClaims()).ToList();
        var mesh = Inputs(all, settings, claims);
        var resources = new List<AmbientResource>();
        foreach (var inputs in namespaces)
        {
            resources.AddRange(NamespaceBuilder.BuildAll(new NamespaceView(inputs, mesh)));
        }
        return resources;
    }

    /// <summary>The mesh-wide inputs of a set of objects.</summary>
    public static MeshInputs Inputs(IReadOnlyCollection<IMeshObject> objects, MeshSettings settings, IEnumerable<HostClaim> claims) =>
        MeshInputs.From(
            settings,
            objects.OfType<KubeNamespace>().FirstOrDefault(n => n.Meta.Name == settings.RootNamespace && n.Meta.Cluster == settings.ClusterId),
            objects.OfType<KubeNode>(),
            objects.OfType<AuthorizationPolicy>().Where(p => p.Meta.Namespace == settings.RootNamespace),
            objects.OfType<PeerAuthentication>(),
            objects.OfType<Gateway>(),
            objects.OfType<GatewayClass>().GroupBy(c => c.Meta.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal),
            claims);

    /// <summary>Groups namespaced objects into per-namespace inputs (every namespace that has objects or a Namespace).</summary>
    public static List<NamespaceInputs> NamespacesOf(IReadOnlyCollection<IMeshObject> objects, MeshSettings settings)
    {
        var names = objects
            .Select(o => o is KubeNamespace ns ? ns.Meta.Name : o.Meta.Namespace)
            .Where(n => n.Length > 0)
            .Append(settings.RootNamespace)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        var result = new List<NamespaceInputs>();
        foreach (var name in names)
        {
            List<T> Of<T>() where T : IMeshObject => [.. objects.OfType<T>().Where(o => o.Meta.Namespace == name)];
            var namespaceObjects = objects.OfType<KubeNamespace>().Where(n => n.Meta.Name == name).ToList();
            result.Add(new NamespaceInputs
            {
                Name = name,
                Namespace = namespaceObjects.FirstOrDefault(n => n.Meta.Cluster == settings.ClusterId) ?? namespaceObjects.FirstOrDefault(),
                Pods = Of<Pod>(),
                Services = Of<KubeService>(),
                ServiceEntries = Of<ServiceEntry>(),
                WorkloadEntries = Of<WorkloadEntry>(),
                EndpointSlices = Of<EndpointSlice>(),
                AuthorizationPolicies = Of<AuthorizationPolicy>(),
                PeerAuthentications = Of<PeerAuthentication>(),
            });
        }
        return result;
    }
}
