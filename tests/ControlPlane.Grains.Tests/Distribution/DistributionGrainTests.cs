using ControlPlane.Xds;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using static ControlPlane.Grains.Tests.Changes;

namespace ControlPlane.Grains.Tests.Distribution;

public sealed class DistributionGrainTests(TwoSiloCluster cluster) : IClassFixture<TwoSiloCluster>
{
    [Fact]
    public async Task SubscribeAsync_SiloJoiningLater_StartsFromAFullSnapshot()
    {
        await cluster.Sink.ApplyAsync(Upsert(Join(Service("d1", "web", "10.96.2.1"), Pod("d1", "a", "10.2.0.1"))), CancellationToken.None);
        using (var probe = new HubProbe(cluster.Hub(0)))
        {
            await probe.WaitUntilAsync(p => p.Get("Kubernetes//Pod/d1/a") is not null, "first silo has d1");
        }

        var late = (InProcessSiloHandle)await cluster.Cluster.StartAdditionalSiloAsync();
        try
        {
            using var probe = new HubProbe(late.SiloHost.Services.GetRequiredService<ControlPlane.Xds.Hub.XdsHub>());
            await probe.WaitUntilAsync(p => p.Get("Kubernetes//Pod/d1/a") is not null && p.Get("d1/web.d1.svc.cluster.local") is not null, "late silo has d1");
            Assert.Equal(
                cluster.Hub(0).GetTable(TypeUrls.Address).TryGet("Kubernetes//Pod/d1/a", out var original) ? original.Version : null,
                probe.Addresses.TryGet("Kubernetes//Pod/d1/a", out var copy) ? copy.Version : null);
        }
        finally
        {
            await cluster.Cluster.StopSiloAsync(late);
        }
    }
}
