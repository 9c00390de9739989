using Istio.Workload;

namespace ControlPlane.Ambient.Builders;

/// <summary>
/// How ztunnel delivers inbound traffic to a waypoint's own pods (annotation
/// <c>ambient.istio.io/waypoint-inbound-binding</c>: <c>PROXY</c>, <c>PROXY/&lt;port&gt;</c> or <c>NONE</c>).
/// </summary>
/// <param name="Protocol"><c>NONE</c> or <c>PROXY</c>.</param>
/// <param name="Port">Port to deliver to; 0 = unset.</param>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record InboundBinding(string Protocol, uint Port)
{
    public ApplicationTunnel ToApplicationTunnel() => new()
    {
        Protocol = Protocol == "PROXY" ? ApplicationTunnel.Types.Protocol.Proxy : ApplicationTunnel.Types.Protocol.None,
        Port = Port,
    };

    /// <summary>Parses the annotation; null (ignored, as istiod does) when malformed.</summary>
    public static InboundBinding? Parse(string? value)
    {
        if (value is null)
        {
            return null;
        }
        var parts = value.Split('/');
        if (parts.Length > 2 || parts[0] is not ("NONE" or "PROXY"))
        {
            return null;
        }
        uint port = 0;
        if (parts.Length == 2 && !uint.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port))
        {
            // istiod logs and carries on with port 0.
            port = 0;
        }
        return new InboundBinding(parts[0], port);
    }
}
