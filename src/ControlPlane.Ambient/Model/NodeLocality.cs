namespace ControlPlane.Ambient.Model;

/// <summary>Region/zone/subzone of a node, from its topology labels.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record NodeLocality(string Region, string Zone, string Subzone)
{
    public Istio.Workload.Locality ToProto() => new() { Region = Region, Zone = Zone, Subzone = Subzone };
}
