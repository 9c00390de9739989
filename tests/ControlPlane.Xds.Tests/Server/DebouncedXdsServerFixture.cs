namespace ControlPlane.Xds.Tests.Server;

/// <summary>
/// A control plane whose hub waits for a second of quiet (at most four) before pushing, so that changes
/// published together are certain to land in one batch.
/// </summary>
public sealed class DebouncedXdsServerFixture : XdsServerFixture
{
    public const int QuietMilliseconds = 1_000;
    public const int MaxDelayMilliseconds = 4_000;

    protected override IEnumerable<string> Args =>
        [$"--Xds:DebounceMilliseconds={QuietMilliseconds}", $"--Xds:MaxDebounceMilliseconds={MaxDelayMilliseconds}"];
}
