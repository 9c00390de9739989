namespace ControlPlane.Ambient.Model;

/// <summary>Identity of an object across sources: cluster, kind, namespace ("" if cluster-scoped), name.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public readonly record struct ObjectKey(string Cluster, string Kind, string Namespace, string Name)
{
    public static ObjectKey Of(IMeshObject obj) => new(obj.Meta.Cluster, obj.Kind, obj.Meta.Namespace, obj.Meta.Name);

    public override string ToString() =>
        Namespace.Length == 0 ? $"{Cluster}/{Kind}/{Name}" : $"{Cluster}/{Kind}/{Namespace}/{Name}";
}
