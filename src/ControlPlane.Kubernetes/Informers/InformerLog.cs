using Microsoft.Extensions.Logging;

namespace ControlPlane.Kubernetes.Informers;

/// <summary>Log lines of informers (a generic class cannot hold source-generated log methods).</summary>
internal static partial class InformerLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {Cluster}: {Resource} synced, {Objects} objects at resourceVersion {ResourceVersion}")]
    public static partial void Synced(this ILogger logger, string cluster, string resource, int objects, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {Cluster}: relisted {Resource}, {Changes} changes")]
    public static partial void Relisted(this ILogger logger, string cluster, string resource, int changes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster {Cluster}: {Resource} is not served (CRD not installed); looking again in {RetrySeconds} s")]
    public static partial void NotInstalled(this ILogger logger, string cluster, string resource, int retrySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {Cluster}: resourceVersion {ResourceVersion} of {Resource} expired (410); relisting")]
    public static partial void Expired(this ILogger logger, string cluster, string resource, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster {Cluster}: {Resource} failed: {Error}; retrying in {DelayMilliseconds} ms, keeping {Objects} known objects")]
    public static partial void Failed(this ILogger logger, string cluster, string resource, string error, long delayMilliseconds, int objects);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster {Cluster}: invalid {Kind} {Object}: {Error}; {Outcome}")]
    public static partial void InvalidObject(this ILogger logger, string cluster, string kind, string @object, string error, string outcome);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cluster {Cluster}: {Resource} delivered {Changes} changes")]
    public static partial void Delivered(this ILogger logger, string cluster, string resource, int changes);
}
