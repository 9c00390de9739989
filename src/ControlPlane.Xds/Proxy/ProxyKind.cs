namespace ControlPlane.Xds.Proxy;

/// <summary>What is on the other end of a stream; decides which config it is served.</summary>
public enum ProxyKind
{
    /// <summary>Node-level L4 proxy (node id type <c>ztunnel</c>).</summary>
    Ztunnel,

    /// <summary>Namespace-level L7 Envoy (node id type <c>waypoint</c>).</summary>
    Waypoint,

    /// <summary>Envoy sidecar (node id type <c>sidecar</c>).</summary>
    Sidecar,

    /// <summary>Envoy gateway (node id type <c>router</c>).</summary>
    Router,

    /// <summary>gRPC's own xDS client (a <c>sidecar</c> node with metadata <c>GENERATOR=grpc</c>).</summary>
    ProxylessGrpc,
}
