using Istio.Workload;

namespace ControlPlane.Ambient.Builders;

/// <summary>
/// Builds a namespace's Address resources from its inputs and the mesh-wide inputs. The grains call
/// the per-object methods for what a change affects; <see cref="BuildAll"/> is the full build they
/// must agree with.
/// </summary>
public static class NamespaceBuilder
{
    public static IEnumerable<AmbientResource> BuildAll(NamespaceInputs inputs, MeshInputs mesh)
    {
        foreach (var service in inputs.Services)
        {
            if (BuildService(service, inputs, mesh) is { } resource)
            {
                yield return resource;
            }
        }
        foreach (var pod in inputs.Pods)
        {
            if (BuildPod(pod, inputs, mesh) is { } resource)
            {
                yield return resource;
            }
        }
    }

    public static AmbientResource? BuildService(Model.KubeService service, NamespaceInputs inputs, MeshInputs mesh)
    {
        var built = KubeServiceBuilder.Build(service, new ServiceContext
        {
            Mesh = mesh.Settings,
            Network = mesh.Network,
            Namespace = inputs.Namespace,
        });
        return built is null
            ? null
            : new AmbientResource(Names.ServiceKey(built.Namespace, built.Hostname), new Address { Service = built });
    }

    public static AmbientResource? BuildPod(Model.Pod pod, NamespaceInputs inputs, MeshInputs mesh)
    {
        var built = PodWorkloadBuilder.Build(pod, new PodContext
        {
            Mesh = mesh.Settings,
            Network = mesh.Network,
            Locality = mesh.NodeLocalities.GetValueOrDefault(pod.NodeName)?.ToProto(),
            Services = inputs.Services,
        });
        return built is null ? null : new AmbientResource(built.Uid, new Address { Workload = built });
    }
}
