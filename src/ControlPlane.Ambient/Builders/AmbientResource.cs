using Google.Protobuf;

namespace ControlPlane.Ambient.Builders;

/// <summary>
/// A built resource and its xDS name: an <c>istio.workload.Address</c> (<see cref="AmbientResourceKind.Address"/>)
/// or an <c>istio.security.Authorization</c>.
/// </summary>
public sealed record AmbientResource(AmbientResourceKind Kind, string Name, IMessage Message)
{
    public static AmbientResource Address(Istio.Workload.Workload workload) =>
        new(AmbientResourceKind.Address, workload.Uid, new Istio.Workload.Address { Workload = workload });

    public static AmbientResource Address(Istio.Workload.Service service) =>
        new(AmbientResourceKind.Address, Names.ServiceKey(service.Namespace, service.Hostname), new Istio.Workload.Address { Service = service });

    public static AmbientResource Authorization(Istio.Security.Authorization authorization) =>
        new(AmbientResourceKind.Authorization, Names.PolicyKey(authorization.Namespace, authorization.Name), authorization);
}
