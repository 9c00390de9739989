namespace ControlPlane.Bench.Mesh;

/// <summary>
/// A namespace's generated ALLOW AuthorizationPolicy: it selects <see cref="Target"/>'s pods and admits
/// <see cref="Caller"/>'s service account on the HTTP container port.
/// </summary>
public sealed record PolicyPlan(int NamespaceIndex, string Namespace, string Name, ServicePlan Target, ServicePlan Caller)
{
    /// <summary>The Authorization resource name: <c>namespace/name</c>.</summary>
    public string ResourceName => $"{Namespace}/{Name}";
}
