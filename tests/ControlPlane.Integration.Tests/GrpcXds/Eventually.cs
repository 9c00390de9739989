namespace ControlPlane.Integration.Tests.GrpcXds;

/// <summary>Waits for a condition on real processes (no sleeps sized to the machine's speed in the tests).</summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Re-checks <paramref name="condition"/> until it holds; after <paramref name="timeout"/> fails with
    /// <paramref name="describe"/>'s account of the last state seen.
    /// </summary>
    public static async Task HoldsAsync(
        Func<CancellationToken, Task<bool>> condition, TimeSpan timeout, Func<string> describe, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (!await condition(cancellationToken).ConfigureAwait(false))
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"still not the case after {timeout}: {describe()}");
            }
            await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
        }
    }
}
