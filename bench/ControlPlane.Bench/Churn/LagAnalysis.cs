namespace ControlPlane.Bench.Churn;

/// <summary>
/// Whether propagation lag grows over a sustained run: the changes' every-client latencies of the first
/// and last thirds of the run (by write order), and the least-squares slope of latency against write time.
/// Lag counts as growing when the last third's p99 exceeds the first third's by more than half plus
/// <see cref="NoiseFloorMs"/> (so a few milliseconds of jitter on small figures do not count), or when
/// changes were never delivered.
/// </summary>
public sealed record LagAnalysis(LatencySummary FirstThird, LatencySummary LastThird, double SlopeMsPerSecond, int Undelivered)
{
    public const double NoiseFloorMs = 5;

    public bool Growing => Undelivered > 0 || LastThird.P99 > FirstThird.P99 * 1.5 + NoiseFloorMs;

    /// <summary>Analyses (write time in seconds from the start, every-client latency in ms) per change, in write order.</summary>
    public static LagAnalysis Of(IReadOnlyList<(double WrittenAtSeconds, double LatencyMs)> delivered, int undelivered)
    {
        var third = delivered.Count / 3;
        var first = LatencySummary.Of(delivered.Take(third).Select(d => d.LatencyMs));
        var last = LatencySummary.Of(delivered.Skip(delivered.Count - third).Select(d => d.LatencyMs));
        return new LagAnalysis(first, last, Math.Round(Slope(delivered), 3), undelivered);
    }

    private static double Slope(IReadOnlyList<(double X, double Y)> points)
    {
        if (points.Count < 2)
        {
            return 0;
        }
        var meanX = points.Average(p => p.X);
        var meanY = points.Average(p => p.Y);
        double covariance = 0, variance = 0;
        foreach (var (x, y) in points)
        {
            covariance += (x - meanX) * (y - meanY);
            variance += (x - meanX) * (x - meanX);
        }
        return variance == 0 ? 0 : covariance / variance;
    }
}
