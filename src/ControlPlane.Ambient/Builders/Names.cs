namespace ControlPlane.Ambient.Builders;

/// <summary>Resource names and keys exactly as istiod forms them (spec §2.3).</summary>
public static class Names
{
    public static string PodUid(string cluster, string ns, string name) => $"{cluster}//Pod/{ns}/{name}";

    public static string WorkloadEntryUid(string cluster, string ns, string name) =>
        $"{cluster}/networking.istio.io/WorkloadEntry/{ns}/{name}";

    /// <summary>A ServiceEntry endpoint (or implicit DNS workload): suffix = the endpoint address or host.</summary>
    public static string ServiceEntryUid(string cluster, string ns, string name, string address) =>
        $"{cluster}/networking.istio.io/ServiceEntry/{ns}/{name}/{address}";

    public static string EndpointSliceUid(string cluster, string ns, string slice, string ip) =>
        $"{cluster}/discovery.k8s.io/EndpointSlice/{ns}/{slice}/{ip}";

    /// <summary><c>&lt;name&gt;.&lt;namespace&gt;.svc.&lt;domain&gt;</c>.</summary>
    public static string ServiceHostname(string name, string ns, string domainSuffix) => $"{name}.{ns}.svc.{domainSuffix}";

    /// <summary>The xDS name of a Service resource and the key of <c>Workload.services</c>.</summary>
    public static string ServiceKey(string ns, string hostname) => $"{ns}/{hostname}";

    /// <summary>The xDS name of an Authorization, and a policy key in <c>Workload.authorization_policies</c>.</summary>
    public static string PolicyKey(string ns, string name) => $"{ns}/{name}";

    /// <summary>A waypoint's key in the registry: <c>namespace/name</c> of its Gateway.</summary>
    public static string WaypointKey(string ns, string name) => $"{ns}/{name}";
}
