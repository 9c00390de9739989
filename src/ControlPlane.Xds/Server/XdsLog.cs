using ControlPlane.Xds.Proxy;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Xds.Server;

/// <summary>The xDS server's log messages.</summary>
internal static partial class XdsLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {Connection} ({Protocol}) opened by {Node} as {Kind} from {Peer}")]
    public static partial void Opened(this ILogger logger, string connection, string protocol, string node, ProxyKind kind, string peer);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {Connection} of {Node} closed")]
    public static partial void Closed(this ILogger logger, string connection, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {Connection} of {Node}: {TypeUrl} response {Nonce} NACKed: {Message}")]
    public static partial void Nack(this ILogger logger, string connection, string node, string typeUrl, string nonce, string message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stream {Connection}: ignoring stale nonce {Nonce} for {TypeUrl} (latest {Latest})")]
    public static partial void Stale(this ILogger logger, string connection, string typeUrl, string nonce, string latest);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {Connection}: type {TypeUrl} is not served; answering with no resources")]
    public static partial void UnknownType(this ILogger logger, string connection, string typeUrl);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {Connection} of {Node} rejected with {Code}: {Reason}")]
    public static partial void Rejected(this ILogger logger, string connection, string node, StatusCode code, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stream {Connection}: write failed: {Reason}")]
    public static partial void WriteFailed(this ILogger logger, string connection, string reason);
}
