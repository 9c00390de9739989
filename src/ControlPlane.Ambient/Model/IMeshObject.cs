namespace ControlPlane.Ambient.Model;

/// <summary>An object the ambient builders consume, whatever source it came from.</summary>
public interface IMeshObject
{
    ObjectMeta Meta { get; }

    /// <summary>One of <see cref="Kinds"/>.</summary>
    string Kind { get; }
}
