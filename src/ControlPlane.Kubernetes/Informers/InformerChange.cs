namespace ControlPlane.Kubernetes.Informers;

/// <summary>
/// One object's change as an informer delivers it: what it delivered last time (<see cref="Previous"/>,
/// null if nothing) and what it holds now (<see cref="Current"/>, null when deleted).
/// </summary>
public sealed record InformerChange<T>(string Namespace, string Name, T? Previous, T? Current)
    where T : class;
