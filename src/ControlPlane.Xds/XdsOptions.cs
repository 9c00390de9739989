using System.ComponentModel.DataAnnotations;

namespace ControlPlane.Xds;

/// <summary>Settings of the xDS server and hub (section "Xds" of the configuration).</summary>
public sealed class XdsOptions
{
    public const string Section = "Xds";

    /// <summary>Plaintext h2c port for xDS (istiod: 15010). 0 disables the plaintext port.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 15010;

    /// <summary>
    /// Quiet period that ends a burst of changes before it is pushed. A change that arrives when nothing was
    /// committed for <see cref="MaxDebounceMilliseconds"/> (an isolated one) is pushed without waiting.
    /// </summary>
    [Range(0, 10_000)]
    public int DebounceMilliseconds { get; set; } = 10;

    /// <summary>Longest a change waits in a burst that never goes quiet.</summary>
    [Range(0, 60_000)]
    public int MaxDebounceMilliseconds { get; set; } = 100;

    /// <summary>
    /// Cap on resource names in one request (subscribe + unsubscribe + initial versions). Protects the
    /// server from huge subscription lists; a ztunnel reconnecting with its whole mesh stays well below.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxResourceNamesPerRequest { get; set; } = 500_000;

    /// <summary>
    /// Cap on the names one stream subscribes to per type, over all its requests (wildcard subscribers
    /// name none). Reaching it ends the stream with ResourceExhausted.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxSubscribedNamesPerType { get; set; } = 1_000_000;

    /// <summary>Cap on the type URLs one stream subscribes to (a ztunnel uses 2, an Envoy 4 to 6).</summary>
    [Range(1, 1_000)]
    public int MaxTypesPerStream { get; set; } = 32;

    /// <summary>
    /// At shutdown, once every stream has ended, how long to wait before connections are closed, so that
    /// clients read each stream's final OK status rather than a connection reset.
    /// </summary>
    [Range(0, 60_000)]
    public int ShutdownGraceMilliseconds { get; set; } = 1_000;

    /// <summary>Largest request message accepted, in bytes (initial_resource_versions can be large).</summary>
    [Range(4 * 1024 * 1024, int.MaxValue)]
    public int MaxReceiveMessageBytes { get; set; } = 128 * 1024 * 1024;
}
