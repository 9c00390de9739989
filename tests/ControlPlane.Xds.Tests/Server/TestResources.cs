using ControlPlane.Xds.Resources;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Google.Protobuf.WellKnownTypes;
using Istio.Workload;

namespace ControlPlane.Xds.Tests.Server;

/// <summary>Small resources of each type whose content (and so version) follows <c>content</c>.</summary>
public static class TestResources
{
    public static XdsResource Address(string name, string content = "v1") =>
        XdsResource.Create(TypeUrls.Address, name, new Address { Workload = new Workload { Uid = name, Name = content } });

    public static XdsResource Cluster(string name, string content = "v1") =>
        XdsResource.Create(TypeUrls.Cluster, name, new Cluster { Name = name, AltStatName = content });

    public static XdsResource Listener(string name, string content = "v1") =>
        XdsResource.Create(TypeUrls.Listener, name, new Listener { Name = name, StatPrefix = content });

    public static XdsResource Route(string name, string content = "v1") =>
        XdsResource.Create(TypeUrls.RouteConfiguration, name, new RouteConfiguration { Name = name, VirtualHosts = { new VirtualHost { Name = content } } });

    public static XdsResource Endpoints(string name, uint weight = 1) =>
        XdsResource.Create(TypeUrls.ClusterLoadAssignment, name, new ClusterLoadAssignment
        {
            ClusterName = name,
            Endpoints = { new LocalityLbEndpoints { LoadBalancingWeight = weight } },
        });

    /// <summary>The Workload name (the content marker) of an Address resource in a response.</summary>
    public static string AddressContent(Any any) => Istio.Workload.Address.Parser.ParseFrom(any.Value).Workload.Name;

    public static string ClusterContent(Any any) => Envoy.Config.Cluster.V3.Cluster.Parser.ParseFrom(any.Value).AltStatName;
}
