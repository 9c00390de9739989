namespace ControlPlane.Bench.Churn;

/// <summary>What a timed churn run did: changes made, over how long, and the largest burst made at once to catch up.</summary>
public sealed record ChurnRun(int Changes, TimeSpan Elapsed, int LargestBurst)
{
    public double AchievedPerSecond => Changes / Elapsed.TotalSeconds;
}
