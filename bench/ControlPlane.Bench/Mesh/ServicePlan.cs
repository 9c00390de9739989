namespace ControlPlane.Bench.Mesh;

/// <summary>One generated Service and the Deployment behind it (same name, selector <c>app: Name</c>).</summary>
public sealed record ServicePlan(int Index, string Namespace, string Name, string ClusterIp, string TemplateHash);
