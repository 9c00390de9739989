namespace ControlPlane.Ambient.Model;

/// <summary>An object added or updated (<see cref="Object"/> set) or deleted (null), as sources emit them.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record ObjectChange(ObjectKey Key, IMeshObject? Object)
{
    public static ObjectChange Upsert(IMeshObject obj) => new(ObjectKey.Of(obj), obj);

    public static ObjectChange Delete(ObjectKey key) => new(key, null);
}
