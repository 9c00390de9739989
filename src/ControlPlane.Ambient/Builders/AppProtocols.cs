using Istio.Workload;

namespace ControlPlane.Ambient.Builders;

/// <summary>Istio's protocol inference for a service port, mapped to the workload API's AppProtocol.</summary>
public static class AppProtocols
{
    public static AppProtocol Infer(string portName, string protocol, string? appProtocol)
    {
        if (protocol is "UDP" or "SCTP")
        {
            return AppProtocol.Unknown;
        }
        if (!string.IsNullOrEmpty(appProtocol))
        {
            return FromName(appProtocol);
        }
        var prefix = portName.Split('-', 2)[0];
        return FromName(prefix);
    }

    private static AppProtocol FromName(string name) => name.ToLowerInvariant() switch
    {
        "http" or "http1" or "kubernetes.io/ws" => AppProtocol.Http11,
        "http2" or "kubernetes.io/h2c" => AppProtocol.Http2,
        "grpc" => AppProtocol.Grpc,
        "https" or "tls" or "kubernetes.io/wss" => AppProtocol.Tls,
        "tcp" => AppProtocol.Tcp,
        _ => AppProtocol.Unknown,
    };
}
