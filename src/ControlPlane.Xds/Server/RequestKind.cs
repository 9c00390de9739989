namespace ControlPlane.Xds.Server;

/// <summary>How a request relates to the responses already sent for its type.</summary>
internal enum RequestKind
{
    /// <summary>First request for the type on this stream.</summary>
    Initial,

    /// <summary>No nonce: a (re)subscription that must be answered.</summary>
    Spontaneous,

    /// <summary>Acknowledges the latest response.</summary>
    Ack,

    /// <summary>Rejects the latest response (error_detail set).</summary>
    Nack,

    /// <summary>Refers to a response that is no longer the latest: ignored.</summary>
    Stale,
}
