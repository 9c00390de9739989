using System.Net;
using ControlPlane.Xds;
using ControlPlane.Xds.Resources;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Http.Router.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Google.Protobuf.WellKnownTypes;

namespace ControlPlane.Testing.Proxyless;

/// <summary>
/// Builds the Envoy resources a proxyless gRPC client (<c>xds:///&lt;target&gt;</c>) follows: an API
/// listener named after the target whose HttpConnectionManager fetches its route over ADS, a route
/// configuration, EDS clusters and their endpoints. Tests publish these straight into the hub; later the
/// mesh builders produce the same shapes.
/// </summary>
public static class GrpcXdsResources
{
    /// <summary>Filter name gRPC requires as the last HTTP filter.</summary>
    public const string RouterFilterName = "envoy.filters.http.router";

    /// <summary>
    /// A listener named <paramref name="target"/> (the path of <c>xds:///&lt;target&gt;</c>) with an
    /// <c>api_listener</c> whose HttpConnectionManager gets route <paramref name="routeName"/> over ADS.
    /// </summary>
    public static Listener ApiListener(string target, string routeName)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        ArgumentException.ThrowIfNullOrEmpty(routeName);
        var manager = new HttpConnectionManager
        {
            StatPrefix = target,
            Rds = new Rds { RouteConfigName = routeName, ConfigSource = Ads() },
            HttpFilters = { new HttpFilter { Name = RouterFilterName, TypedConfig = Any.Pack(new Router()) } },
        };
        return new Listener
        {
            Name = target,
            ApiListener = new ApiListener { ApiListener_ = Any.Pack(manager) },
        };
    }

    /// <summary>
    /// A route configuration with one virtual host for every domain and one catch-all route splitting
    /// requests across <paramref name="weights"/>.
    /// </summary>
    public static RouteConfiguration WeightedRoute(string routeName, params RouteWeight[] weights)
    {
        ArgumentException.ThrowIfNullOrEmpty(routeName);
        if (weights.Length == 0)
        {
            throw new ArgumentException("a weighted route needs at least one cluster", nameof(weights));
        }
        var split = new WeightedCluster();
        ulong total = 0;
        foreach (var weight in weights)
        {
            ArgumentException.ThrowIfNullOrEmpty(weight.Cluster, nameof(weights));
            split.Clusters.Add(new WeightedCluster.Types.ClusterWeight { Name = weight.Cluster, Weight = weight.Weight });
            total += weight.Weight;
        }
        if (total == 0 || total > uint.MaxValue)
        {
            throw new ArgumentException($"route weights must add up to between 1 and {uint.MaxValue}, not {total}", nameof(weights));
        }
        return new RouteConfiguration
        {
            Name = routeName,
            VirtualHosts =
            {
                new VirtualHost
                {
                    Name = routeName,
                    Domains = { "*" },
                    Routes =
                    {
                        new Route
                        {
                            Match = new RouteMatch { Prefix = "/" },
                            Route_ = new RouteAction { WeightedClusters = split },
                        },
                    },
                },
            },
        };
    }

    /// <summary>A round-robin cluster whose endpoints come over ADS (EDS, same name).</summary>
    public static Cluster EdsCluster(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new Cluster
        {
            Name = name,
            Type = Cluster.Types.DiscoveryType.Eds,
            EdsClusterConfig = new Cluster.Types.EdsClusterConfig { EdsConfig = Ads() },
            LbPolicy = Cluster.Types.LbPolicy.RoundRobin,
        };
    }

    /// <summary>The endpoints of <paramref name="clusterName"/>, healthy, grouped by locality.</summary>
    public static ClusterLoadAssignment Endpoints(string clusterName, params LocalityEndpoints[] localities)
    {
        ArgumentException.ThrowIfNullOrEmpty(clusterName);
        var assignment = new ClusterLoadAssignment { ClusterName = clusterName };
        foreach (var locality in localities)
        {
            if (locality.Weight == 0)
            {
                throw new ArgumentException($"locality {locality.Region}/{locality.Zone} needs a weight above 0", nameof(localities));
            }
            var group = new LocalityLbEndpoints
            {
                Locality = new Locality { Region = locality.Region, Zone = locality.Zone },
                LoadBalancingWeight = locality.Weight,
            };
            foreach (var endpoint in locality.Endpoints)
            {
                group.LbEndpoints.Add(new LbEndpoint
                {
                    HealthStatus = HealthStatus.Healthy,
                    Endpoint = new Endpoint { Address = SocketAddress(endpoint) },
                });
            }
            assignment.Endpoints.Add(group);
        }
        return assignment;
    }

    /// <summary>Endpoints of a cluster in a single locality.</summary>
    public static ClusterLoadAssignment Endpoints(string clusterName, string region, string zone, params IPEndPoint[] endpoints) =>
        Endpoints(clusterName, new LocalityEndpoints(region, zone, 1, endpoints));

    public static XdsResource Resource(Listener listener) => XdsResource.Create(TypeUrls.Listener, listener.Name, listener);

    public static XdsResource Resource(RouteConfiguration route) => XdsResource.Create(TypeUrls.RouteConfiguration, route.Name, route);

    public static XdsResource Resource(Cluster cluster) => XdsResource.Create(TypeUrls.Cluster, cluster.Name, cluster);

    public static XdsResource Resource(ClusterLoadAssignment assignment) =>
        XdsResource.Create(TypeUrls.ClusterLoadAssignment, assignment.ClusterName, assignment);

    private static ConfigSource Ads() => new()
    {
        Ads = new AggregatedConfigSource(),
        ResourceApiVersion = ApiVersion.V3,
    };

    private static Address SocketAddress(IPEndPoint endpoint) => new()
    {
        SocketAddress = new Envoy.Config.Core.V3.SocketAddress
        {
            Address = endpoint.Address.ToString(),
            PortValue = (uint)endpoint.Port,
        },
    };
}
