namespace ControlPlane.Ambient.Model;

/// <summary>An object added or updated (<see cref="Object"/> set) or deleted (null), as sources emit them.</summary>
/// <remarks>
/// Objects are immutable records, so a change is passed between grains of one silo by reference: the source,
/// the silo's object store and the grains share one instance of each object rather than a copy each.
/// </remarks>
[Immutable]
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record ObjectChange(ObjectKey Key, IMeshObject? Object)
{
    public static ObjectChange Upsert(IMeshObject obj) => new(ObjectKey.Of(obj), obj);

    public static ObjectChange Delete(ObjectKey key) => new(key, null);
}
