using ControlPlane.Xds.Hub;
using ControlPlane.Xds.Resources;
using Google.Rpc;

namespace ControlPlane.Xds.Server;

/// <summary>
/// What one stream knows about one type URL: its subscription, the nonce handshake and what changed
/// since the last response. Shared by delta and state of the world; guarded by the connection's lock.
/// </summary>
internal abstract class TypeState(string typeUrl, ResourceTable table)
{
    public string TypeUrl { get; } = typeUrl;

    /// <summary>The table this stream is served from (chosen once per type by the scope selector).</summary>
    public ResourceTable Table { get; } = table;

    /// <summary>Position of the type in <see cref="TypeUrls.PushOrder"/>.</summary>
    public int PushRank { get; } = TypeUrls.PushRank(typeUrl);

    public bool Wildcard { get; set; }

    /// <summary>Names subscribed explicitly (kept even while wildcard, as the xDS spec asks).</summary>
    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);

    /// <summary>Re-examine the whole subscription at the next response.</summary>
    public bool FullResync { get; set; }

    /// <summary>The next response must be sent even if it carries nothing.</summary>
    public bool MustRespond { get; set; }

    public string? LastNonce { get; set; }

    public string? AckedNonce { get; private set; }

    public DateTimeOffset? AckedAt { get; private set; }

    public NackRecord? LastNack { get; private set; }

    public int NackCount { get; private set; }

    public long ResponsesSent { get; set; }

    public bool IsSubscribed(string name) => Wildcard || Names.Contains(name);

    /// <summary>True when something should be sent at the next write.</summary>
    public bool HasWork => MustRespond || FullResync || HasChanges;

    /// <summary>True when pushed changes wait for the next response.</summary>
    protected abstract bool HasChanges { get; }

    /// <summary>True when the next response sends the whole table (its shared snapshot).</summary>
    public abstract bool SendsWholeTable { get; }

    /// <summary>Takes note of a committed change to <see cref="Table"/>; returns true when the stream must write.</summary>
    public abstract bool Notify(TableChange change);

    public RequestKind Classify(string nonce, Status? errorDetail)
    {
        if (nonce.Length == 0)
        {
            return RequestKind.Spontaneous;
        }
        if (!string.Equals(nonce, LastNonce, StringComparison.Ordinal))
        {
            return RequestKind.Stale;
        }
        return errorDetail is null ? RequestKind.Ack : RequestKind.Nack;
    }

    public void RecordAck(string nonce)
    {
        AckedNonce = nonce;
        AckedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>True when the response <paramref name="nonce"/> names was already recorded as rejected.</summary>
    public bool IsRecordedNack(string nonce) => string.Equals(LastNack?.Nonce, nonce, StringComparison.Ordinal);

    public NackRecord RecordNack(string nonce, string versionInfo, Status error)
    {
        NackCount++;
        LastNack = new NackRecord(nonce, versionInfo, error.Code, error.Message, DateTimeOffset.UtcNow);
        return LastNack;
    }
}
