using System.ComponentModel.DataAnnotations;

namespace ControlPlane.Host.Options;

/// <summary>Listening ports of the host (section "Ports").</summary>
public sealed class PortOptions
{
    public const string Section = "Ports";

    /// <summary>Address every port binds to.</summary>
    [Required]
    public string ListenAddress { get; set; } = "0.0.0.0";

    /// <summary>HTTP port for <c>/ready</c> and <c>/debug/...</c> (istiod: 8080).</summary>
    [Range(1, 65535)]
    public int HttpPort { get; set; } = 8080;

    /// <summary>Prometheus <c>/metrics</c> port (istiod: 15014).</summary>
    [Range(1, 65535)]
    public int MonitoringPort { get; set; } = 15014;
}
