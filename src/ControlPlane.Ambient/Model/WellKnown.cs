namespace ControlPlane.Ambient.Model;

/// <summary>Labels, annotations and values istiod reads, in one place.</summary>
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
    public const string RolloutsPodTemplateHashLabel = "rollouts-pod-template-hash";
    public const string DeploymentConfigLabel = "deploymentconfig";
    public const string AutoRegistrationGroupAnnotation = "istio.io/autoRegistrationGroup";

    public const string TrafficDistributionAnnotation = "networking.istio.io/traffic-distribution";
    public const string EnableAutoallocateIpLabel = "networking.istio.io/enable-autoallocate-ip";

    /// <summary>On a Service, ServiceEntry, Pod, WorkloadEntry or Namespace: the waypoint to use (or <c>none</c>).</summary>
    public const string UseWaypointLabel = "istio.io/use-waypoint";
    public const string UseWaypointNamespaceLabel = "istio.io/use-waypoint-namespace";
    public const string UseWaypointCanaryLabel = "istio.io/use-waypoint-canary";
    public const string UseWaypointCanaryNamespaceLabel = "istio.io/use-waypoint-canary-namespace";
    public const string UseWaypointCanaryWeightAnnotation = "istio.io/use-waypoint-canary-weight";
    public const string IngressUseWaypointLabel = "istio.io/ingress-use-waypoint";

    /// <summary>On a Gateway or GatewayClass: which traffic the waypoint handles (service, workload, all, none).</summary>
    public const string WaypointForLabel = "istio.io/waypoint-for";
    public const string WaypointInboundBindingAnnotation = "ambient.istio.io/waypoint-inbound-binding";

    /// <summary>On the pods of a Gateway's deployment: the Gateway's name.</summary>
    public const string GatewayNameLabel = "gateway.networking.k8s.io/gateway-name";
    public const string GatewayManagedLabel = "gateway.istio.io/managed";
    public const string ManagedByMeshController = "istio.io-mesh-controller";
    public const string ManagedByEastWestController = "istio.io-eastwest-controller";

    /// <summary>On an EndpointSlice: the Service it belongs to.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>The HBONE port of a waypoint (istiod hard-codes it too).</summary>
    public const uint HbonePort = 15008;
}
