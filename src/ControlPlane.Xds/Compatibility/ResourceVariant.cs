using Google.Protobuf;

namespace ControlPlane.Xds.Compatibility;

/// <summary>The outcome of adapting a resource to a compatibility level.</summary>
public readonly record struct ResourceVariant
{
    private ResourceVariant(ResourceVariantKind kind, ByteString? body)
    {
        Kind = kind;
        Body = body;
    }

    public ResourceVariantKind Kind { get; }

    /// <summary>The replacement encoding, for <see cref="ResourceVariantKind.Replaced"/>.</summary>
    public ByteString? Body { get; }

    /// <summary>Serve the resource as published (shares its bytes and version).</summary>
    public static ResourceVariant Unchanged { get; } = new(ResourceVariantKind.Unchanged, null);

    /// <summary>Do not serve it at this level (proxies holding it are told it is removed).</summary>
    public static ResourceVariant Omitted { get; } = new(ResourceVariantKind.Omitted, null);

    public static ResourceVariant Replaced(ByteString body) => new(ResourceVariantKind.Replaced, body);
}
