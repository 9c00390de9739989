using ControlPlane.Ambient.Model;

namespace ControlPlane.Host;

/// <summary>Delivers each batch of source changes to several sinks in turn (local indexes first, then the grains).</summary>
public sealed class CompositeObjectSink(IReadOnlyList<IObjectSink> sinks) : IObjectSink
{
    public async Task ApplyAsync(IReadOnlyList<ObjectChange> changes, CancellationToken cancellationToken)
    {
        foreach (var sink in sinks)
        {
            await sink.ApplyAsync(changes, cancellationToken).ConfigureAwait(false);
        }
    }
}
