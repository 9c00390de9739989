namespace ControlPlane.Ambient.Model;

/// <summary>
/// A networking.istio.io WorkloadEntry. <see cref="Spec"/>'s labels are the metadata labels merged over
/// the spec labels (metadata wins), as istiod normalises them.
/// </summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record WorkloadEntry : IMeshObject
{
    public required ObjectMeta Meta { get; init; }

    public string Kind => Kinds.WorkloadEntry;

    public required WorkloadEndpoint Spec { get; init; }
}
