using k8s.Models;

namespace ControlPlane.Kubernetes.Resources;

/// <summary>security.istio.io AuthorizationPolicy as stored (v1 and v1beta1 share the schema).</summary>
public sealed class AuthorizationPolicyResource
{
    public V1ObjectMeta? Metadata { get; set; }

    public SpecData? Spec { get; set; }

    public sealed class SpecData
    {
        public WorkloadSelectorData? Selector { get; set; }

        public TargetRefData? TargetRef { get; set; }

        public List<TargetRefData>? TargetRefs { get; set; }

        public List<RuleData>? Rules { get; set; }

        public string? Action { get; set; }
    }

    public sealed class WorkloadSelectorData
    {
        public Dictionary<string, string>? MatchLabels { get; set; }
    }

    public sealed class TargetRefData
    {
        public string? Group { get; set; }

        public string? Kind { get; set; }

        public string? Name { get; set; }

        public string? Namespace { get; set; }
    }

    public sealed class RuleData
    {
        public List<FromData>? From { get; set; }

        public List<ToData>? To { get; set; }

        public List<ConditionData>? When { get; set; }
    }

    public sealed class FromData
    {
        public SourceData? Source { get; set; }
    }

    public sealed class SourceData
    {
        public List<string>? Principals { get; set; }

        public List<string>? NotPrincipals { get; set; }

        public List<string>? RequestPrincipals { get; set; }

        public List<string>? NotRequestPrincipals { get; set; }

        public List<string>? Namespaces { get; set; }

        public List<string>? NotNamespaces { get; set; }

        public List<string>? IpBlocks { get; set; }

        public List<string>? NotIpBlocks { get; set; }

        public List<string>? RemoteIpBlocks { get; set; }

        public List<string>? NotRemoteIpBlocks { get; set; }

        public List<string>? ServiceAccounts { get; set; }

        public List<string>? NotServiceAccounts { get; set; }
    }

    public sealed class ToData
    {
        public OperationData? Operation { get; set; }
    }

    public sealed class OperationData
    {
        public List<string>? Hosts { get; set; }

        public List<string>? NotHosts { get; set; }

        public List<string>? Ports { get; set; }

        public List<string>? NotPorts { get; set; }

        public List<string>? Methods { get; set; }

        public List<string>? NotMethods { get; set; }

        public List<string>? Paths { get; set; }

        public List<string>? NotPaths { get; set; }
    }

    public sealed class ConditionData
    {
        public string? Key { get; set; }

        public List<string>? Values { get; set; }

        public List<string>? NotValues { get; set; }
    }
}
