namespace ControlPlane.Xds;

/// <summary>Every xDS type URL the control plane serves, in one place.</summary>
public static class TypeUrls
{
    private const string Prefix = "type.googleapis.com/";

    public const string Listener = Prefix + "envoy.config.listener.v3.Listener";
    public const string RouteConfiguration = Prefix + "envoy.config.route.v3.RouteConfiguration";
    public const string Cluster = Prefix + "envoy.config.cluster.v3.Cluster";
    public const string ClusterLoadAssignment = Prefix + "envoy.config.endpoint.v3.ClusterLoadAssignment";
    public const string Secret = Prefix + "envoy.extensions.transport_sockets.tls.v3.Secret";
    public const string Address = Prefix + "istio.workload.Address";
    public const string Workload = Prefix + "istio.workload.Workload";
    public const string Authorization = Prefix + "istio.security.Authorization";

    /// <summary>Types served. Others are answered empty and logged.</summary>
    public static readonly IReadOnlySet<string> Served = new HashSet<string>(StringComparer.Ordinal)
    {
        Listener, RouteConfiguration, Cluster, ClusterLoadAssignment, Secret, Address, Workload, Authorization,
    };

    /// <summary>
    /// Order in which a push that touches several types is written: clusters and endpoints before the
    /// listeners and routes that point at them (make before break), then the ambient types.
    /// </summary>
    public static readonly IReadOnlyList<string> PushOrder =
    [
        Cluster, ClusterLoadAssignment, Listener, RouteConfiguration, Secret, Address, Workload, Authorization,
    ];

    /// <summary>
    /// State-of-the-world types where an empty name list means "everything" (LDS and CDS in the xDS
    /// spec; the ambient types follow the same rule). For the others, empty means nothing.
    /// </summary>
    public static bool IsWildcardCapable(string typeUrl) =>
        typeUrl is Listener or Cluster or Address or Workload or Authorization or Secret;

    public static bool IsWellFormed(string typeUrl) =>
        typeUrl.StartsWith(Prefix, StringComparison.Ordinal) && typeUrl.Length > Prefix.Length;

    /// <summary>Relative order of a type in <see cref="PushOrder"/>; unknown types go last.</summary>
    public static int PushRank(string typeUrl)
    {
        for (var i = 0; i < PushOrder.Count; i++)
        {
            if (ReferenceEquals(PushOrder[i], typeUrl) || PushOrder[i] == typeUrl)
            {
                return i;
            }
        }
        return PushOrder.Count;
    }
}
