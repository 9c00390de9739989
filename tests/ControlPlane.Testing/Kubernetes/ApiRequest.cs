namespace ControlPlane.Testing.Kubernetes;

/// <summary>
/// A request the double served, for assertions (e.g. "the informer relisted pods"). <see cref="Verb"/> is
/// the Kubernetes verb: list, watch, get, create, update, patch, delete (or tokenreview, version).
/// </summary>
public sealed record ApiRequest(string Verb, ApiResource? Resource, string? Namespace, string? Name, string Query);
