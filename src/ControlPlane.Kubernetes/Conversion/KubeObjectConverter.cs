using System.Text.Json;
using ControlPlane.Ambient.Builders;
using ControlPlane.Ambient.Collections;
using ControlPlane.Ambient.Model;
using ControlPlane.Kubernetes.Resources;
using k8s;
using k8s.Models;

namespace ControlPlane.Kubernetes.Conversion;

/// <summary>
/// Kubernetes API objects → the records the ambient builders consume. Shared by every source (config
/// directory, informers) so an object means the same wherever it came from.
/// </summary>
/// <remarks>
/// Contract: <see cref="Convert"/> takes <c>apiVersion/kind</c> (e.g. <c>v1/Pod</c>,
/// <c>networking.istio.io/v1/ServiceEntry</c>) and one object as JSON (as the API server sends it) or
/// YAML; it returns null for kinds the builders do not use, and throws <see cref="InvalidObjectException"/>
/// (naming the field) for an object that does not parse or is invalid. Objects keep their
/// <c>status</c> as given (pod IPs and conditions, Gateway addresses, ServiceEntry allocated VIPs).
/// </remarks>
public static class KubeObjectConverter
{
    /// <summary>Every <c>apiVersion/kind</c> <see cref="Convert"/> understands.</summary>
    public static IReadOnlyCollection<string> SupportedKinds { get; } =
    [
        "v1/Namespace", "v1/Node", "v1/Pod", "v1/Service", "discovery.k8s.io/v1/EndpointSlice",
        "networking.istio.io/v1/ServiceEntry", "networking.istio.io/v1beta1/ServiceEntry", "networking.istio.io/v1alpha3/ServiceEntry",
        "networking.istio.io/v1/WorkloadEntry", "networking.istio.io/v1beta1/WorkloadEntry", "networking.istio.io/v1alpha3/WorkloadEntry",
        "security.istio.io/v1/AuthorizationPolicy", "security.istio.io/v1beta1/AuthorizationPolicy",
        "security.istio.io/v1/PeerAuthentication", "security.istio.io/v1beta1/PeerAuthentication",
        "gateway.networking.k8s.io/v1/Gateway", "gateway.networking.k8s.io/v1beta1/Gateway",
        "gateway.networking.k8s.io/v1/GatewayClass", "gateway.networking.k8s.io/v1beta1/GatewayClass",
    ];

    private static readonly string[] Resolutions = ["NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN", "DYNAMIC_DNS"];
    private static readonly string[] Actions = ["ALLOW", "DENY", "AUDIT", "CUSTOM"];
    private static readonly string[] Modes = [MtlsModes.Unset, MtlsModes.Disable, MtlsModes.Permissive, MtlsModes.Strict];
    private static readonly string[] SelectorOperators = ["In", "NotIn", "Exists", "DoesNotExist"];

    /// <summary>Converts one object of the given <c>apiVersion/kind</c>; null for kinds not used.</summary>
    /// <exception cref="InvalidObjectException">The object does not parse or is invalid.</exception>
    public static IMeshObject? Convert(string apiVersionKind, string text, string cluster)
    {
        if (!SupportedKinds.Contains(apiVersionKind))
        {
            return null;
        }
        try
        {
            return apiVersionKind[(apiVersionKind.LastIndexOf('/') + 1)..] switch
            {
                "Namespace" => FromNamespace(Parse<V1Namespace>(text), cluster),
                "Node" => FromNode(Parse<V1Node>(text), cluster),
                "Pod" => FromPod(Parse<V1Pod>(text), cluster),
                "Service" => FromService(Parse<V1Service>(text), cluster),
                "EndpointSlice" => FromEndpointSlice(Parse<V1EndpointSlice>(text), cluster),
                "ServiceEntry" => FromServiceEntry(Parse<ServiceEntryResource>(text), cluster),
                "WorkloadEntry" => FromWorkloadEntry(Parse<WorkloadEntryResource>(text), cluster),
                "AuthorizationPolicy" => FromAuthorizationPolicy(Parse<AuthorizationPolicyResource>(text), cluster),
                "PeerAuthentication" => FromPeerAuthentication(Parse<PeerAuthenticationResource>(text), cluster),
                "Gateway" => FromGateway(Parse<GatewayResource>(text), cluster),
                "GatewayClass" => FromGatewayClass(Parse<GatewayClassResource>(text), cluster),
                _ => null,
            };
        }
        catch (Exception ex) when (ex is YamlDotNet.Core.YamlException or JsonException or FormatException or InvalidOperationException or OverflowException)
        {
            throw new InvalidObjectException(Innermost(ex).Message.Split('\n')[0], ex);
        }
    }

    /// <summary>JSON when the text starts with <c>{</c> (API server objects), YAML otherwise.</summary>
    private static T Parse<T>(string text)
    {
        var json = text.AsSpan().TrimStart().StartsWith("{", StringComparison.Ordinal);
        var parsed = json ? KubernetesJson.Deserialize<T>(text) : KubernetesYaml.Deserialize<T>(text);
        return parsed ?? throw new InvalidObjectException("the document is empty");
    }

    public static KubeNamespace FromNamespace(V1Namespace ns, string cluster) =>
        new() { Meta = Meta(ns.Metadata, cluster, namespaced: false) };

    public static KubeNode FromNode(V1Node node, string cluster) =>
        new() { Meta = Meta(node.Metadata, cluster, namespaced: false) };

    public static Pod FromPod(V1Pod pod, string cluster)
    {
        var spec = pod.Spec ?? new V1PodSpec();
        var status = pod.Status ?? new V1PodStatus();
        var ips = status.PodIPs is { Count: > 0 } podIps
            ? podIps.Select(ip => ip.Ip).Where(ip => !string.IsNullOrEmpty(ip))
            : string.IsNullOrEmpty(status.PodIP) ? [] : [status.PodIP];
        var ipList = ips.ToList();
        RequireIps(ipList, "status.podIPs");
        var ports = new List<ContainerPort>();
        foreach (var container in spec.Containers ?? [])
        {
            AddPorts(ports, container.Ports);
        }
        foreach (var init in spec.InitContainers ?? [])
        {
            // Native sidecars (restartPolicy Always) serve traffic like containers do.
            if (init.RestartPolicy == "Always")
            {
                AddPorts(ports, init.Ports);
            }
        }
        var controller = pod.Metadata?.OwnerReferences?.FirstOrDefault(o => o.Controller == true);
        return new Pod
        {
            Meta = Meta(pod.Metadata, cluster, namespaced: true),
            NodeName = Interned.String(spec.NodeName) ?? string.Empty,
            ServiceAccount = Interned.String(spec.ServiceAccountName) ?? string.Empty,
            Ips = new ValueList<string>(ipList),
            Phase = Interned.String(status.Phase) ?? string.Empty,
            Ready = status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true,
            HostNetwork = spec.HostNetwork == true,
            ContainerPorts = Interned.List(ports),
            Controller = controller is null ? null : Interned.Value(new OwnerReference(Interned.String(controller.Kind), controller.Name)),
        };
    }

    public static KubeService FromService(V1Service service, string cluster)
    {
        var spec = service.Spec ?? new V1ServiceSpec();
        var clusterIps = spec.ClusterIPs is { Count: > 0 } ips ? ips : string.IsNullOrEmpty(spec.ClusterIP) ? [] : [spec.ClusterIP];
        RequireIps(clusterIps.Where(ip => ip is not ("" or "None")), "spec.clusterIPs");
        var ports = new List<ServicePort>();
        foreach (var port in spec.Ports ?? [])
        {
            RequirePort(port.Port, "spec.ports[].port");
            var target = port.TargetPort?.Value;
            int? number = int.TryParse(target, out var parsed) ? parsed : null;
            var named = target is { Length: > 0 } && number is null ? target : null;
            ports.Add(new ServicePort(
                Interned.String(port.Name) ?? string.Empty,
                port.Port,
                named is null ? number ?? port.Port : 0,
                Interned.String(named),
                Interned.String(port.Protocol) ?? "TCP",
                Interned.String(port.AppProtocol)));
        }
        return new KubeService
        {
            Meta = Meta(service.Metadata, cluster, namespaced: true),
            Type = Interned.String(spec.Type) ?? "ClusterIP",
            Selector = spec.Selector is { Count: > 0 } selector ? Interned.Map(selector) : null,
            ClusterIps = new ValueList<string>(clusterIps),
            Ports = Interned.List(ports),
            IpFamilies = Interned.List((spec.IpFamilies ?? []).Select(family => Interned.String(family)).ToList()),
            InternalTrafficPolicy = Interned.String(spec.InternalTrafficPolicy),
            TrafficDistribution = Interned.String(spec.TrafficDistribution),
            PublishNotReadyAddresses = spec.PublishNotReadyAddresses == true,
        };
    }

    public static EndpointSlice FromEndpointSlice(V1EndpointSlice slice, string cluster)
    {
        var addressType = slice.AddressType ?? throw new InvalidObjectException("addressType is required");
        if (addressType is not ("IPv4" or "IPv6" or "FQDN"))
        {
            throw new InvalidObjectException($"addressType: '{addressType}' is not IPv4, IPv6 or FQDN");
        }
        var endpoints = new List<SliceEndpoint>();
        foreach (var endpoint in slice.Endpoints ?? [])
        {
            var addresses = endpoint.Addresses?.ToList() ?? [];
            if (addresses.Count == 0)
            {
                throw new InvalidObjectException("endpoints[].addresses must not be empty");
            }
            var target = endpoint.TargetRef is { } reference
                ? new EndpointTargetRef(Interned.String(reference.Kind) ?? string.Empty, Interned.String(reference.NamespaceProperty ?? slice.Metadata?.NamespaceProperty) ?? "default", reference.Name ?? string.Empty, reference.Uid ?? string.Empty)
                : null;
            endpoints.Add(new SliceEndpoint(new ValueList<string>(addresses), endpoint.Conditions?.Ready, target));
        }
        var ports = new List<EndpointSlicePort>();
        foreach (var port in slice.Ports ?? [])
        {
            if (port.Port is { } number)
            {
                RequirePort(number, "ports[].port");
            }
            // The API server defaults the protocol to TCP.
            ports.Add(new EndpointSlicePort(Interned.String(port.Name), port.Port, Interned.String(port.Protocol) ?? "TCP"));
        }
        return new EndpointSlice
        {
            Meta = Meta(slice.Metadata, cluster, namespaced: true),
            AddressType = Interned.String(addressType),
            Ports = Interned.List(ports),
            Endpoints = new ValueList<SliceEndpoint>(endpoints),
        };
    }

    public static ServiceEntry FromServiceEntry(ServiceEntryResource entry, string cluster)
    {
        var spec = entry.Spec ?? throw new InvalidObjectException("spec is required");
        var hosts = spec.Hosts ?? [];
        if (hosts.Count == 0 || hosts.Any(string.IsNullOrEmpty))
        {
            throw new InvalidObjectException("spec.hosts must list at least one non-empty host");
        }
        foreach (var address in spec.Addresses ?? [])
        {
            if (!IpBytes.TryParsePrefix(address, mask: true, out _, out _))
            {
                throw new InvalidObjectException($"spec.addresses: '{address}' is not an IP address or CIDR");
            }
        }
        var resolution = spec.Resolution ?? "NONE";
        RequireOneOf(resolution, Resolutions, "spec.resolution");
        var ports = new List<ServiceEntryPort>();
        foreach (var port in spec.Ports ?? [])
        {
            RequirePort((int)Math.Min(port.Number, int.MaxValue), "spec.ports[].number");
            if (port.TargetPort is { } targetPort && targetPort != 0)
            {
                RequirePort((int)Math.Min(targetPort, int.MaxValue), "spec.ports[].targetPort");
            }
            ports.Add(new ServiceEntryPort(port.Number, port.Protocol ?? string.Empty, port.Name ?? string.Empty, port.TargetPort ?? 0));
        }
        var endpoints = new List<WorkloadEndpoint>();
        foreach (var endpoint in spec.Endpoints ?? [])
        {
            endpoints.Add(Endpoint(endpoint, StringMap.Empty, "spec.endpoints[]"));
        }
        var allocated = new List<HostAddress>();
        foreach (var address in entry.Status?.Addresses ?? [])
        {
            if (address.Host is { Length: > 0 } host && address.Value is { Length: > 0 } value)
            {
                allocated.Add(new HostAddress(host, value));
            }
        }
        return new ServiceEntry
        {
            Meta = Meta(entry.Metadata, cluster, namespaced: true),
            Hosts = new ValueList<string>(hosts.Distinct(StringComparer.Ordinal)),
            Addresses = new ValueList<string>(spec.Addresses ?? []),
            Ports = new ValueList<ServiceEntryPort>(ports),
            Resolution = resolution,
            Endpoints = new ValueList<WorkloadEndpoint>(endpoints),
            WorkloadSelector = spec.WorkloadSelector is null ? null : Interned.Map(spec.WorkloadSelector.Labels),
            SubjectAltNames = new ValueList<string>(spec.SubjectAltNames ?? []),
            AllocatedAddresses = new ValueList<HostAddress>(allocated),
        };
    }

    public static WorkloadEntry FromWorkloadEntry(WorkloadEntryResource entry, string cluster)
    {
        var meta = Meta(entry.Metadata, cluster, namespaced: true);
        var spec = entry.Spec ?? throw new InvalidObjectException("spec is required");
        // Metadata labels merged over spec labels (metadata wins), as istiod normalises them.
        return new WorkloadEntry { Meta = meta, Spec = Endpoint(spec, meta.Labels, "spec") };
    }

    public static AuthorizationPolicy FromAuthorizationPolicy(AuthorizationPolicyResource policy, string cluster)
    {
        var spec = policy.Spec ?? new AuthorizationPolicyResource.SpecData();
        var action = spec.Action ?? "ALLOW";
        RequireOneOf(action, Actions, "spec.action");
        var rules = new List<PolicyRule>();
        foreach (var rule in spec.Rules ?? [])
        {
            var from = (rule?.From ?? []).Select(f => f.Source ?? new AuthorizationPolicyResource.SourceData()).Select(s => new PolicySource
            {
                Principals = List(s.Principals),
                NotPrincipals = List(s.NotPrincipals),
                RequestPrincipals = List(s.RequestPrincipals),
                NotRequestPrincipals = List(s.NotRequestPrincipals),
                Namespaces = List(s.Namespaces),
                NotNamespaces = List(s.NotNamespaces),
                IpBlocks = List(s.IpBlocks),
                NotIpBlocks = List(s.NotIpBlocks),
                RemoteIpBlocks = List(s.RemoteIpBlocks),
                NotRemoteIpBlocks = List(s.NotRemoteIpBlocks),
                ServiceAccounts = List(s.ServiceAccounts),
                NotServiceAccounts = List(s.NotServiceAccounts),
            });
            var to = (rule?.To ?? []).Select(t => t.Operation ?? new AuthorizationPolicyResource.OperationData()).Select(o => new PolicyOperation
            {
                Hosts = List(o.Hosts),
                NotHosts = List(o.NotHosts),
                Ports = List(o.Ports),
                NotPorts = List(o.NotPorts),
                Methods = List(o.Methods),
                NotMethods = List(o.NotMethods),
                Paths = List(o.Paths),
                NotPaths = List(o.NotPaths),
            });
            var when = new List<PolicyCondition>();
            foreach (var condition in rule?.When ?? [])
            {
                if (string.IsNullOrEmpty(condition.Key))
                {
                    throw new InvalidObjectException("spec.rules[].when[].key is required");
                }
                when.Add(new PolicyCondition(condition.Key, List(condition.Values), List(condition.NotValues)));
            }
            rules.Add(new PolicyRule(new ValueList<PolicySource>(from), new ValueList<PolicyOperation>(to), new ValueList<PolicyCondition>(when)));
        }
        return new AuthorizationPolicy
        {
            Meta = Meta(policy.Metadata, cluster, namespaced: true),
            Selector = Interned.Map(spec.Selector?.MatchLabels),
            HasSelector = spec.Selector is not null,
            HasTargetRefs = spec.TargetRef is not null || spec.TargetRefs is { Count: > 0 },
            Action = action,
            Rules = new ValueList<PolicyRule>(rules),
        };
    }

    public static PeerAuthentication FromPeerAuthentication(PeerAuthenticationResource policy, string cluster)
    {
        var spec = policy.Spec ?? new PeerAuthenticationResource.SpecData();
        var mode = spec.Mtls?.Mode ?? MtlsModes.Unset;
        RequireOneOf(mode, Modes, "spec.mtls.mode");
        var ports = new List<PortMtls>();
        foreach (var (portText, mtls) in spec.PortLevelMtls ?? [])
        {
            if (!GoStrings.TryParsePort(portText, out var port) || port == 0)
            {
                throw new InvalidObjectException($"spec.portLevelMtls: '{portText}' is not a port number");
            }
            var portMode = mtls?.Mode ?? MtlsModes.Unset;
            RequireOneOf(portMode, Modes, $"spec.portLevelMtls[{portText}].mode");
            ports.Add(new PortMtls(port, portMode));
        }
        return new PeerAuthentication
        {
            Meta = Meta(policy.Metadata, cluster, namespaced: true),
            Selector = Interned.Map(spec.Selector?.MatchLabels),
            Mode = mode,
            PortLevelMtls = new ValueList<PortMtls>(ports.OrderBy(p => p.Port)),
        };
    }

    public static Gateway FromGateway(GatewayResource gateway, string cluster)
    {
        var spec = gateway.Spec ?? throw new InvalidObjectException("spec is required");
        if (string.IsNullOrEmpty(spec.GatewayClassName))
        {
            throw new InvalidObjectException("spec.gatewayClassName is required");
        }
        var listeners = new List<GatewayListener>();
        foreach (var listener in spec.Listeners ?? [])
        {
            RequirePort(listener.Port, "spec.listeners[].port");
            RouteNamespaces? allowed = null;
            if (listener.AllowedRoutes?.Namespaces is { } namespaces)
            {
                var from = namespaces.From ?? "Same";
                RequireOneOf(from, ["Same", "All", "Selector"], "spec.listeners[].allowedRoutes.namespaces.from");
                allowed = new RouteNamespaces(from, namespaces.Selector is null ? null : Selector(namespaces.Selector, "spec.listeners[].allowedRoutes.namespaces.selector"));
            }
            listeners.Add(new GatewayListener(listener.Name ?? string.Empty, listener.Port, listener.Protocol ?? string.Empty, allowed));
        }
        var addresses = new List<GatewayStatusAddress>();
        foreach (var address in gateway.Status?.Addresses ?? [])
        {
            if (!string.IsNullOrEmpty(address.Value))
            {
                // The API server defaults the type to IPAddress.
                addresses.Add(new GatewayStatusAddress(address.Type ?? "IPAddress", address.Value));
            }
        }
        return new Gateway
        {
            Meta = Meta(gateway.Metadata, cluster, namespaced: true),
            ClassName = spec.GatewayClassName,
            Listeners = new ValueList<GatewayListener>(listeners),
            Addresses = new ValueList<GatewayStatusAddress>(addresses),
        };
    }

    public static GatewayClass FromGatewayClass(GatewayClassResource gatewayClass, string cluster) => new()
    {
        Meta = Meta(gatewayClass.Metadata, cluster, namespaced: false),
        ControllerName = gatewayClass.Spec?.ControllerName ?? string.Empty,
    };

    private static WorkloadEndpoint Endpoint(WorkloadEntryResource.SpecData spec, StringMap metadataLabels, string field)
    {
        if (string.IsNullOrEmpty(spec.Address))
        {
            throw new InvalidObjectException($"{field}.address is required");
        }
        var ports = new List<NamedPort>();
        foreach (var (name, port) in spec.Ports ?? [])
        {
            RequirePort((int)Math.Min(port, int.MaxValue), $"{field}.ports[{name}]");
            ports.Add(new NamedPort(name, port));
        }
        var labels = new Dictionary<string, string>(spec.Labels ?? [], StringComparer.Ordinal);
        foreach (var (key, value) in metadataLabels)
        {
            labels[key] = value;
        }
        return new WorkloadEndpoint
        {
            Address = spec.Address,
            Ports = new ValueList<NamedPort>(ports.OrderBy(p => p.Name, StringComparer.Ordinal)),
            Labels = Interned.Map(labels),
            Network = Interned.String(spec.Network) ?? string.Empty,
            Locality = Interned.String(spec.Locality) ?? string.Empty,
            Weight = spec.Weight ?? 0,
            ServiceAccount = Interned.String(spec.ServiceAccount) ?? string.Empty,
        };
    }

    private static LabelSelector Selector(V1LabelSelector selector, string field)
    {
        var requirements = new List<LabelSelectorRequirement>();
        foreach (var expression in selector.MatchExpressions ?? [])
        {
            RequireOneOf(expression.OperatorProperty ?? string.Empty, SelectorOperators, $"{field}.matchExpressions[].operator");
            requirements.Add(new LabelSelectorRequirement(expression.Key ?? string.Empty, expression.OperatorProperty!, List(expression.Values)));
        }
        return new LabelSelector
        {
            MatchLabels = Interned.Map(selector.MatchLabels),
            MatchExpressions = new ValueList<LabelSelectorRequirement>(requirements),
        };
    }

    private static ValueList<string> List(IEnumerable<string>? values) => values is null ? ValueList<string>.Empty : new ValueList<string>(values);

    private static void RequireIps(IEnumerable<string> ips, string field)
    {
        foreach (var ip in ips)
        {
            if (!IpBytes.TryParseAddress(ip, out _))
            {
                throw new InvalidObjectException($"{field}: '{ip}' is not an IP address");
            }
        }
    }

    private static void RequirePort(int port, string field)
    {
        if (port is < 1 or > 65535)
        {
            throw new InvalidObjectException($"{field}: {port} is not a port number (1-65535)");
        }
    }

    private static void RequireOneOf(string value, string[] allowed, string field)
    {
        if (!allowed.Contains(value, StringComparer.Ordinal))
        {
            throw new InvalidObjectException($"{field}: '{value}' is not one of {string.Join(", ", allowed)}");
        }
    }

    private static void AddPorts(List<ContainerPort> ports, IList<V1ContainerPort>? declared)
    {
        foreach (var port in declared ?? [])
        {
            ports.Add(new ContainerPort(Interned.String(port.Name) ?? string.Empty, port.ContainerPort, Interned.String(port.Protocol) ?? "TCP"));
        }
    }

    private static ObjectMeta Meta(V1ObjectMeta? metadata, string cluster, bool namespaced)
    {
        if (metadata is null || string.IsNullOrEmpty(metadata.Name))
        {
            throw new InvalidObjectException("metadata.name is required");
        }
        return new ObjectMeta
        {
            Cluster = cluster,
            // As kubectl does, a namespaced object without a namespace lands in "default".
            Namespace = namespaced ? Interned.String(string.IsNullOrEmpty(metadata.NamespaceProperty) ? "default" : metadata.NamespaceProperty) : string.Empty,
            Name = metadata.Name,
            Uid = metadata.Uid ?? string.Empty,
            GenerateName = Interned.String(metadata.GenerateName) ?? string.Empty,
            Labels = Interned.Map(metadata.Labels),
            Annotations = Interned.Map(metadata.Annotations),
            CreationTimestamp = metadata.CreationTimestamp is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : default,
            Deleting = metadata.DeletionTimestamp is not null,
        };
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }
        return ex;
    }
}
