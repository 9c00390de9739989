namespace ControlPlane.Kubernetes.Informers;

/// <summary>What <c>/debug/clusters</c> shows of one informer.</summary>
public sealed record InformerStatus
{
    public required string Resource { get; init; }

    /// <summary>The initial list has been delivered (or the CRD is known not to be installed).</summary>
    public bool Synced { get; init; }

    /// <summary>False while the resource's CRD is not installed in the cluster.</summary>
    public bool Installed { get; init; } = true;

    /// <summary>False from an error talking to the API server until the next successful list or watch: its objects may be stale.</summary>
    public bool Healthy { get; init; } = true;

    /// <summary>Objects held (including ones that do not convert to anything).</summary>
    public int Objects { get; init; }

    /// <summary>Objects skipped because they did not convert (kept at their last good version).</summary>
    public int Invalid { get; init; }

    public string? ResourceVersion { get; init; }

    public int Lists { get; init; }

    public int Watches { get; init; }

    /// <summary>Watch events received (added, modified, deleted; bookmarks not counted).</summary>
    public long Events { get; init; }

    /// <summary>Object changes delivered to the sinks (from lists and watches; unchanged objects are not delivered).</summary>
    public long Delivered { get; init; }

    public string? LastError { get; init; }

    public DateTimeOffset? LastErrorAt { get; init; }
}
