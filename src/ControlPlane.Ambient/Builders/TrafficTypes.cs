namespace ControlPlane.Ambient.Builders;

/// <summary>Values of <c>istio.io/waypoint-for</c>: what a waypoint accepts traffic for.</summary>
public static class TrafficTypes
{
    public const string Service = "service";
    public const string Workload = "workload";
    public const string All = "all";
    public const string None = "none";

    public static bool ForServices(string trafficType) => trafficType is Service or All;

    public static bool ForWorkloads(string trafficType) => trafficType is Workload or All;
}
