namespace ControlPlane.Bench.Churn;

/// <summary>An object the churn generator changes (kind <c>pod</c>, <c>service</c> or <c>policy</c>).</summary>
public sealed record ChurnObject(string Kind, string Namespace, string Name);
