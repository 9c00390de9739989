namespace ControlPlane.Ambient.Builders;

/// <summary>Resource names and keys exactly as istiod forms them (spec §2.3).</summary>
public static class Names
{
    public static string PodUid(string cluster, string ns, string name) => $"{cluster}//Pod/{ns}/{name}";

    /// <summary><c>&lt;name&gt;.&lt;namespace&gt;.svc.&lt;domain&gt;</c>.</summary>
    public static string ServiceHostname(string name, string ns, string domainSuffix) => $"{name}.{ns}.svc.{domainSuffix}";

    /// <summary>The xDS name of a Service resource and the key of <c>Workload.services</c>.</summary>
    public static string ServiceKey(string ns, string hostname) => $"{ns}/{hostname}";
}
