namespace ControlPlane.Ambient.Model;

/// <summary>A Kubernetes Namespace (its labels drive enrolment and waypoint use).</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record KubeNamespace : IMeshObject
{
    public required ObjectMeta Meta { get; init; }

    public string Kind => Kinds.Namespace;
}
