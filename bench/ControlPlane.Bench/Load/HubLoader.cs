using ControlPlane.Xds.Hub;
using ControlPlane.Xds.Resources;

namespace ControlPlane.Bench.Load;

/// <summary>Fills a hub table straight from resources and waits until it is committed.</summary>
public static class HubLoader
{
    public static async Task LoadAsync(XdsHub hub, IEnumerable<XdsResource> resources, CancellationToken cancellationToken)
    {
        var list = resources.ToList();
        if (list.Count == 0)
        {
            return;
        }
        var table = hub.GetTable(list[0].TypeUrl);
        var expected = table.Count + list.Count;
        foreach (var chunk in list.Chunk(10_000))
        {
            hub.Publish(new ResourceDelta(chunk[0].TypeUrl, string.Empty, chunk, []));
        }
        while (table.Count < expected)
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }
}
