using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace ControlPlane.Testing.Kubernetes;

/// <summary>
/// One open watch: which objects it sees, and the lines (JSON events) waiting to be written to it. As
/// the real API server does, an object that starts or stops matching the label selector is sent as
/// ADDED or DELETED.
/// </summary>
internal sealed class Watcher(ApiResource resource, string? ns, LabelSelector selector, bool bookmarks, Action abort)
{
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    public ApiResource Resource { get; } = resource;

    public bool Bookmarks { get; } = bookmarks;

    public ChannelReader<string> Lines => _lines.Reader;

    public void Offer(StoredEvent e)
    {
        if (e.Resource != Resource || (ns is not null && e.Namespace != ns))
        {
            return;
        }
        var before = e.Old is not null && selector.Matches(e.Old);
        var after = selector.Matches(e.New);
        var type = e.Type switch
        {
            "ADDED" => after ? "ADDED" : null,
            "DELETED" => before ? "DELETED" : null,
            _ => (before, after) switch
            {
                (true, true) => "MODIFIED",
                (false, true) => "ADDED",
                (true, false) => "DELETED",
                _ => null,
            },
        };
        if (type is not null)
        {
            Send(type, e.New);
        }
    }

    /// <summary>The synthetic ADDED of an object that existed when the watch started without a resourceVersion.</summary>
    public void OfferExisting(JsonObject obj)
    {
        if (selector.Matches(obj))
        {
            Send("ADDED", obj);
        }
    }

    public void Send(string type, JsonObject obj) =>
        _lines.Writer.TryWrite(new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString());

    /// <summary>Ends the watch cleanly after what is queued (the server closed the stream).</summary>
    public void Close() => _lines.Writer.TryComplete();

    /// <summary>Drops the connection mid-stream, as a failing network or API server does.</summary>
    public void Abort()
    {
        _lines.Writer.TryComplete();
        abort();
    }
}
