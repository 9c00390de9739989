namespace ControlPlane.Bench;

/// <summary>Percentiles of a set of latency samples, in milliseconds (nearest-rank).</summary>
public sealed record LatencySummary(double P50, double P99, double Max, int Count)
{
    public static LatencySummary Of(IEnumerable<double> samplesMs)
    {
        var sorted = samplesMs.Order().ToArray();
        if (sorted.Length == 0)
        {
            return new LatencySummary(double.NaN, double.NaN, double.NaN, 0);
        }
        return new LatencySummary(Rank(sorted, 0.50), Rank(sorted, 0.99), Math.Round(sorted[^1], 3), sorted.Length);
    }

    private static double Rank(double[] sorted, double quantile) =>
        Math.Round(sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)], 3);

    public override string ToString() => $"p50 {P50:0.##} ms, p99 {P99:0.##} ms, max {Max:0.##} ms (n={Count})";
}
