using ControlPlane.Ambient.Model;

namespace ControlPlane.Ambient.Builders;

/// <summary>
/// Builds a namespace's Address and Authorization resources. The grains call <see cref="Build"/> for
/// the objects a change affects; <see cref="BuildAll"/> is the full build they must agree with.
/// </summary>
public static class NamespaceBuilder
{
    public static IEnumerable<AmbientResource> BuildAll(NamespaceView view)
    {
        var inputs = view.Inputs;
        IEnumerable<IMeshObject> objects =
        [
            .. inputs.Services, .. inputs.ServiceEntries, .. inputs.Pods, .. inputs.WorkloadEntries,
            .. inputs.EndpointSlices, .. inputs.AuthorizationPolicies, .. inputs.PeerAuthentications,
        ];
        foreach (var obj in objects)
        {
            foreach (var resource in Build(obj, view))
            {
                yield return resource;
            }
        }
        if (BuildStaticPolicy(view) is { } staticPolicy)
        {
            yield return staticPolicy;
        }
    }

    /// <summary>The resources one object publishes.</summary>
    public static IEnumerable<AmbientResource> Build(IMeshObject obj, NamespaceView view)
    {
        switch (obj)
        {
            case Pod pod when PodWorkloadBuilder.Build(pod, view) is { } workload:
                return [AmbientResource.Address(workload)];
            case KubeService service when KubeServiceBuilder.Build(service, view) is { } built:
                return [AmbientResource.Address(built)];
            case ServiceEntry entry:
                return ServiceEntryBuilder.Build(entry, view);
            case WorkloadEntry entry:
                return [AmbientResource.Address(WorkloadEntryBuilder.Build(entry, view))];
            case EndpointSlice slice:
                return EndpointSliceBuilder.Build(slice, view).Select(AmbientResource.Address).ToList();
            case AuthorizationPolicy policy when AuthorizationBuilder.Build(policy, view.Settings) is { } authorization:
                return [AmbientResource.Authorization(authorization)];
            case PeerAuthentication policy when PeerAuthenticationBuilder.Converted(policy, view.ParentStrict, view.Settings) is { } converted:
                return [AmbientResource.Authorization(converted)];
            default:
                return [];
        }
    }

    /// <summary>The root namespace publishes the static STRICT policy while some PeerAuthentication exists.</summary>
    public static AmbientResource? BuildStaticPolicy(NamespaceView view) =>
        view.Name == view.Settings.RootNamespace && view.Mesh.AnyPeerAuthentication
            ? AmbientResource.Authorization(PeerAuthenticationBuilder.StaticStrictPolicy(view.Settings))
            : null;
}
