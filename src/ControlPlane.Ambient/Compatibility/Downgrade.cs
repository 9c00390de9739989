using Google.Protobuf;

namespace ControlPlane.Ambient.Compatibility;

/// <summary>How a resource must change for an older ztunnel: not at all, not sent, or replaced.</summary>
public readonly record struct Downgrade(bool Omitted, IMessage? Replacement)
{
    public static Downgrade Unchanged => default;

    public static Downgrade Omit => new(true, null);

    public static Downgrade Replace(IMessage replacement) => new(false, replacement);
}
