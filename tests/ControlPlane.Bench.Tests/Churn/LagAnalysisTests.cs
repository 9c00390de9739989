using ControlPlane.Bench.Churn;

namespace ControlPlane.Bench.Tests.Churn;

public sealed class LagAnalysisTests
{
    [Fact]
    public void Of_SteadyLatencies_IsNotGrowing()
    {
        var delivered = Enumerable.Range(0, 300).Select(i => (i / 10.0, 20.0 + i % 7)).ToList();

        var lag = LagAnalysis.Of(delivered, undelivered: 0);

        Assert.False(lag.Growing);
        Assert.Equal(0, lag.SlopeMsPerSecond, 1);
    }

    [Fact]
    public void Of_LatencyClimbingOverTheRun_IsGrowing()
    {
        var delivered = Enumerable.Range(0, 300).Select(i => (i / 10.0, 20.0 + i)).ToList();

        var lag = LagAnalysis.Of(delivered, undelivered: 0);

        Assert.True(lag.Growing);
        Assert.Equal(10, lag.SlopeMsPerSecond, 3);
        Assert.True(lag.LastThird.P99 > lag.FirstThird.P99);
    }

    [Fact]
    public void Of_SmallJitterAboveNoiseFloor_IsNotGrowing()
    {
        // 2 ms then 4 ms: doubled, but within the noise floor.
        var delivered = Enumerable.Range(0, 90).Select(i => (i / 10.0, i < 45 ? 2.0 : 4.0)).ToList();

        Assert.False(LagAnalysis.Of(delivered, undelivered: 0).Growing);
    }

    [Fact]
    public void Of_UndeliveredChanges_IsGrowing() =>
        Assert.True(LagAnalysis.Of([(0, 1), (1, 1), (2, 1)], undelivered: 1).Growing);
}
