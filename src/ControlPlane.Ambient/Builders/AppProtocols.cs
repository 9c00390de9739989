using Istio.Workload;

namespace ControlPlane.Ambient.Builders;

/// <summary>Istio's protocol inference for a port, mapped to the workload API's AppProtocol.</summary>
public static class AppProtocols
{
    /// <summary>Ports that default to TCP when the name says nothing (SMTP, DNS, MySQL, MongoDB).</summary>
    private static readonly int[] WellKnownTcpPorts = [25, 53, 3306, 27017];

    /// <summary>
    /// A Kubernetes Service port: UDP ⇒ unknown; the appProtocol if set (with the kubernetes.io/h2c, ws, wss
    /// names), else the port name; both by the prefix before the first <c>-</c> (<c>grpc-web</c> is not gRPC).
    /// </summary>
    public static AppProtocol FromKubernetes(int port, string portName, string protocol, string? appProtocol)
    {
        if (protocol == "UDP")
        {
            return AppProtocol.Unknown;
        }
        var name = portName;
        if (appProtocol is not null)
        {
            switch (appProtocol)
            {
                case "kubernetes.io/h2c":
                    return AppProtocol.Http2;
                case "kubernetes.io/ws":
                    return AppProtocol.Http11;
                case "kubernetes.io/wss":
                    return AppProtocol.Tls;
            }
            name = appProtocol;
        }
        if (name.StartsWith("grpc-web", StringComparison.OrdinalIgnoreCase))
        {
            return AppProtocol.Unknown;
        }
        var dash = name.IndexOf('-', StringComparison.Ordinal);
        var parsed = FromProtocol(dash < 0 ? name : name[..dash]);
        return parsed is null && WellKnownTcpPorts.Contains(port) ? AppProtocol.Tcp : parsed ?? AppProtocol.Unknown;
    }

    /// <summary>A ServiceEntry port's <c>protocol</c> (case-insensitive).</summary>
    public static AppProtocol FromServiceEntry(string protocol) => FromProtocol(protocol) ?? AppProtocol.Unknown;

    /// <summary>Istio protocol names → AppProtocol; null for names Istio does not know.</summary>
    private static AppProtocol? FromProtocol(string name) => name.ToLowerInvariant() switch
    {
        "http" => AppProtocol.Http11,
        "http2" => AppProtocol.Http2,
        "grpc" => AppProtocol.Grpc,
        "https" or "tls" => AppProtocol.Tls,
        "tcp" => AppProtocol.Tcp,
        // Known to Istio, but with no AppProtocol of their own.
        "udp" or "grpc-web" or "http_proxy" or "mongo" or "redis" or "mysql" => AppProtocol.Unknown,
        _ => null,
    };
}
