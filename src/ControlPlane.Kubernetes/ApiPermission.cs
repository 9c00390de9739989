namespace ControlPlane.Kubernetes;

/// <summary>One verb on one resource the control plane uses, cluster-wide or in its system namespace only.</summary>
public sealed record ApiPermission(string Group, string Resource, string Verb, bool SystemNamespaceOnly, string Why);
