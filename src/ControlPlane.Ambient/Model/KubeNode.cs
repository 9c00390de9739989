namespace ControlPlane.Ambient.Model;

/// <summary>A Kubernetes Node; only its topology labels matter here.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record KubeNode : IMeshObject
{
    public required ObjectMeta Meta { get; init; }

    public string Kind => Kinds.Node;

    /// <summary>Locality from the topology labels; null when all are empty.</summary>
    public NodeLocality? Locality
    {
        get
        {
            var region = Meta.Labels.Get(WellKnown.RegionLabel) ?? string.Empty;
            var zone = Meta.Labels.Get(WellKnown.ZoneLabel) ?? string.Empty;
            var subzone = Meta.Labels.Get(WellKnown.SubzoneLabel) ?? string.Empty;
            return region.Length + zone.Length + subzone.Length == 0
                ? null
                : new NodeLocality(region, zone, subzone);
        }
    }
}
