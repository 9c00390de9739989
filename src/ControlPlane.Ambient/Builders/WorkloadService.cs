using ControlPlane.Ambient.Collections;

namespace ControlPlane.Ambient.Builders;

/// <summary>
/// A Service (from a Kubernetes Service or a ServiceEntry host) that won its hostname in its namespace,
/// as workloads see it: what it selects and how its ports map (istiod's <c>ServiceInfo</c>).
/// </summary>
/// <param name="Hostname">The service hostname.</param>
/// <param name="Namespace">Its namespace.</param>
/// <param name="FromServiceEntry">True for a ServiceEntry host (ports resolve by name), false for a Kubernetes Service.</param>
/// <param name="Selector">Labels of the workloads it selects; null or empty selects none.</param>
/// <param name="Ports">Its ports.</param>
public sealed record WorkloadService(string Hostname, string Namespace, bool FromServiceEntry, StringMap? Selector, IReadOnlyList<WorkloadServicePort> Ports)
{
    public string Key => Names.ServiceKey(Namespace, Hostname);

    public bool Selects(StringMap labels) => Selector is { Count: > 0 } selector && selector.IsSubsetOf(labels);
}
