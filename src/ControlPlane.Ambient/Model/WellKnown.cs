namespace ControlPlane.Ambient.Model;

/// <summary>Labels and annotations istiod reads, in one place.</summary>
public static class WellKnown
{
    public const string RegionLabel = "topology.kubernetes.io/region";
    public const string ZoneLabel = "topology.kubernetes.io/zone";
    public const string SubzoneLabel = "topology.istio.io/subzone";
    public const string NetworkLabel = "topology.istio.io/network";

    public const string RedirectionAnnotation = "ambient.istio.io/redirection";
    public const string TunnelLabel = "networking.istio.io/tunnel";

    public const string WorkloadNameLabel = "service.istio.io/workload-name";
    public const string CanonicalNameLabel = "service.istio.io/canonical-name";
    public const string CanonicalRevisionLabel = "service.istio.io/canonical-revision";
    public const string AppNameLabel = "app.kubernetes.io/name";
    public const string AppVersionLabel = "app.kubernetes.io/version";
    public const string AppLabel = "app";
    public const string VersionLabel = "version";
    public const string PodTemplateHashLabel = "pod-template-hash";

    public const string TrafficDistributionAnnotation = "networking.istio.io/traffic-distribution";
}
