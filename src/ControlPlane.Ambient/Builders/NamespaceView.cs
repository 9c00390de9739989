using ControlPlane.Ambient.Collections;
using ControlPlane.Ambient.Model;

namespace ControlPlane.Ambient.Builders;

/// <summary>
/// A namespace's inputs joined with the mesh-wide ones, plus the indexes the builders share (which
/// Service wins each hostname, which pods EndpointSlices name, which selector policies exist). Built per
/// rebuild; every index is computed on first use, so a rebuild pays only for what it builds.
/// </summary>
public sealed class NamespaceView
{
    private Dictionary<string, (WorkloadService Service, ObjectKey Source)>? _winners;
    private Dictionary<(string Name, string Uid), List<string>>? _slicesByPod;
    private List<(string Key, StringMap Selector)>? _selectorPolicies;
    private bool? _parentStrict;

    public NamespaceView(NamespaceInputs inputs, MeshInputs mesh)
    {
        Inputs = inputs;
        Mesh = mesh;
    }

    public NamespaceInputs Inputs { get; }

    public MeshInputs Mesh { get; }

    public MeshSettings Settings => Mesh.Settings;

    public string Name => Inputs.Name;

    public StringMap NamespaceLabels => Inputs.Namespace?.Meta.Labels ?? StringMap.Empty;

    public StringMap NamespaceAnnotations => Inputs.Namespace?.Meta.Annotations ?? StringMap.Empty;

    /// <summary>
    /// Per hostname, the Service that is published: a Kubernetes Service beats any ServiceEntry, else the
    /// oldest ServiceEntry claiming the host. (The same Service from several clusters: the local
    /// cluster's, else the first cluster by name.)
    /// </summary>
    private Dictionary<string, (WorkloadService Service, ObjectKey Source)> Winners => _winners ??= ComputeWinners();

    /// <summary>The published Services of the namespace, by hostname.</summary>
    public IEnumerable<WorkloadService> Services => Winners.Values.Select(w => w.Service).OrderBy(s => s.Hostname, StringComparer.Ordinal);

    /// <summary>Is this Kubernetes Service the one published for its hostname?</summary>
    public bool Publishes(KubeService service) =>
        Winners.TryGetValue(Names.ServiceHostname(service.Meta.Name, Name, Settings.DomainSuffix), out var winner) &&
        winner.Source == ObjectKey.Of(service);

    /// <summary>The Services published from a ServiceEntry: the hosts it won, in its host order.</summary>
    public IReadOnlyList<WorkloadService> ServicesOf(ServiceEntry entry)
    {
        var key = ObjectKey.Of(entry);
        var result = new List<WorkloadService>();
        foreach (var host in entry.Hosts.Distinct(StringComparer.Ordinal))
        {
            if (Winners.TryGetValue(host, out var winner) && winner.Source == key)
            {
                result.Add(winner.Service);
            }
        }
        return result;
    }

    /// <summary>The ServiceEntry hosts this namespace publishes, for the mesh's canonical choice.</summary>
    public IEnumerable<HostClaim> HostClaims()
    {
        foreach (var entry in Inputs.ServiceEntries)
        {
            foreach (var service in ServicesOf(entry))
            {
                yield return new HostClaim(service.Hostname, Name, entry.Meta.CreationTimestamp);
            }
        }
    }

    /// <summary>Published Services whose non-empty selector matches the labels, by key.</summary>
    public List<WorkloadService> ServicesSelecting(StringMap labels)
    {
        var result = new List<WorkloadService>();
        foreach (var (service, _) in Winners.Values)
        {
            if (service.Selects(labels))
            {
                result.Add(service);
            }
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Hostname, b.Hostname));
        return result;
    }

    /// <summary>
    /// Kubernetes Services a pod belongs to through an EndpointSlice endpoint that names it (Services
    /// without a selector), besides <paramref name="alreadyMatched"/>.
    /// </summary>
    public IEnumerable<WorkloadService> SliceServicesOf(Pod pod, IReadOnlyCollection<WorkloadService> alreadyMatched)
    {
        _slicesByPod ??= IndexSlicesByPod();
        if (!_slicesByPod.TryGetValue((pod.Meta.Name, pod.Meta.Uid), out var serviceNames))
        {
            yield break;
        }
        foreach (var serviceName in serviceNames.Distinct(StringComparer.Ordinal))
        {
            var hostname = Names.ServiceHostname(serviceName, Name, Settings.DomainSuffix);
            if (Winners.TryGetValue(hostname, out var winner) && winner.Source.Kind == Kinds.Service &&
                !alreadyMatched.Any(s => s.Hostname == hostname))
            {
                yield return winner.Service;
            }
        }
    }

    /// <summary>The published Kubernetes Service named <paramref name="name"/>, if any.</summary>
    public WorkloadService? KubeServiceNamed(string name) =>
        Winners.TryGetValue(Names.ServiceHostname(name, Name, Settings.DomainSuffix), out var winner) && winner.Source.Kind == Kinds.Service
            ? winner.Service
            : null;

    /// <summary>
    /// <c>authorization_policies</c> of a workload: sorted keys of the selector policies of this namespace
    /// and the root namespace that match its labels, then the PeerAuthentication-derived key.
    /// </summary>
    public List<string> PolicyKeysFor(StringMap labels)
    {
        _selectorPolicies ??= SelectorPolicies();
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (key, selector) in _selectorPolicies)
        {
            if (selector.Count > 0 && selector.IsSubsetOf(labels))
            {
                keys.Add(key);
            }
        }
        foreach (var (key, selector) in Mesh.RootSelectorPolicies)
        {
            if (selector.Count > 0 && selector.IsSubsetOf(labels))
            {
                keys.Add(key);
            }
        }
        var result = new List<string>(keys);
        if (PeerAuthenticationBuilder.PolicyKey(labels, Name, Inputs.PeerAuthentications, Mesh.MeshStrict, Settings) is { } peerKey)
        {
            result.Add(peerKey);
        }
        return result;
    }

    /// <summary>The mode workloads of this namespace inherit is STRICT.</summary>
    public bool ParentStrict => _parentStrict ??=
        PeerAuthenticationBuilder.ParentStrict(PeerAuthenticationBuilder.NamespacePolicy(Inputs.PeerAuthentications), Mesh.MeshStrict);

    private Dictionary<string, (WorkloadService, ObjectKey)> ComputeWinners()
    {
        var winners = new Dictionary<string, (WorkloadService Service, ObjectKey Source)>(StringComparer.Ordinal);
        foreach (var service in Inputs.Services)
        {
            if (service.Type == "ExternalName")
            {
                continue;
            }
            var hostname = Names.ServiceHostname(service.Meta.Name, Name, Settings.DomainSuffix);
            if (winners.TryGetValue(hostname, out var current) && !PreferredCluster(service.Meta.Cluster, current.Source.Cluster))
            {
                continue;
            }
            winners[hostname] = (ToWorkloadService(service, hostname), ObjectKey.Of(service));
        }
        var entries = Inputs.ServiceEntries
            .OrderBy(e => e.Meta.CreationTimestamp)
            .ThenBy(e => e.Meta.Name, StringComparer.Ordinal)
            .ThenBy(e => e.Meta.Cluster, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            foreach (var host in entry.Hosts)
            {
                if (!winners.ContainsKey(host))
                {
                    winners[host] = (ToWorkloadService(entry, host), ObjectKey.Of(entry));
                }
            }
        }
        return winners;
    }

    private bool PreferredCluster(string candidate, string current) =>
        candidate != current &&
        (candidate == Settings.ClusterId || (current != Settings.ClusterId && string.CompareOrdinal(candidate, current) < 0));

    private WorkloadService ToWorkloadService(KubeService service, string hostname)
    {
        var ports = new List<WorkloadServicePort>(service.Ports.Count);
        foreach (var port in service.Ports)
        {
            ports.Add(new WorkloadServicePort((uint)port.Port, port.TargetPortName is null ? (uint)port.TargetPort : 0, port.Name, port.TargetPortName));
        }
        return new WorkloadService(hostname, Name, FromServiceEntry: false, service.Selector, ports);
    }

    private WorkloadService ToWorkloadService(ServiceEntry entry, string host)
    {
        var ports = new List<WorkloadServicePort>(entry.Ports.Count);
        foreach (var port in entry.Ports)
        {
            ports.Add(new WorkloadServicePort(port.Number, port.TargetPort == 0 ? port.Number : port.TargetPort, port.Name, null));
        }
        return new WorkloadService(host, Name, FromServiceEntry: true, entry.WorkloadSelector, ports);
    }

    private Dictionary<(string, string), List<string>> IndexSlicesByPod()
    {
        var index = new Dictionary<(string, string), List<string>>();
        foreach (var slice in Inputs.EndpointSlices)
        {
            if (slice.ServiceName is not { } serviceName || slice.AddressType == "FQDN")
            {
                continue;
            }
            foreach (var endpoint in slice.Endpoints)
            {
                if (endpoint.TargetRef is { Kind: Kinds.Pod } target && target.Namespace == Name)
                {
                    if (!index.TryGetValue((target.Name, target.Uid), out var names))
                    {
                        names = [];
                        index[(target.Name, target.Uid)] = names;
                    }
                    names.Add(serviceName);
                }
            }
        }
        return index;
    }

    private List<(string, StringMap)> SelectorPolicies()
    {
        var result = new List<(string, StringMap)>();
        foreach (var policy in Inputs.AuthorizationPolicies)
        {
            if (policy.HasSelector && AuthorizationBuilder.AppliesToZtunnel(policy))
            {
                result.Add((Names.PolicyKey(policy.Meta.Namespace, policy.Meta.Name), policy.Selector));
            }
        }
        return result;
    }
}
