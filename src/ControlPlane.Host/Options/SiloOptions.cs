using System.ComponentModel.DataAnnotations;

namespace ControlPlane.Host.Options;

/// <summary>How this process joins the Orleans cluster of control plane replicas (section "Silo").</summary>
public sealed class SiloOptions
{
    public const string Section = "Silo";

    /// <summary>Silo-to-silo port.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Localhost clustering: silo port of the primary silo (defaults to this silo's).</summary>
    [Range(0, 65535)]
    public int PrimarySiloPort { get; set; }

    /// <summary>
    /// Set: replicas find each other through this Redis (flag <c>--redis</c>). Empty: localhost
    /// clustering, one machine.
    /// </summary>
    public string RedisConnectionString { get; set; } = string.Empty;

    /// <summary>Address advertised to other silos.</summary>
    [Required]
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Orleans cluster id: replicas with the same id form one cluster.</summary>
    [Required]
    public string ClusterId { get; set; } = "controlplane";
}
