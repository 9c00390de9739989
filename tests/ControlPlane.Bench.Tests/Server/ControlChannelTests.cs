using ControlPlane.Bench.Server;

namespace ControlPlane.Bench.Tests.Server;

public sealed class ControlChannelTests
{
    [Fact]
    public void ParseCommand_FormattedCommand_RoundTrips()
    {
        var command = new ServerCommand(7, ServerVerbs.WaitResources, TypeUrl: "type.googleapis.com/istio.workload.Address", Count: 120_000, TimeoutMs: 5000);

        var parsed = ControlChannel.ParseCommand(ControlChannel.FormatCommand(command));

        Assert.Equal(command, parsed);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"id\":3}")]
    [InlineData("")]
    public void ParseCommand_Garbage_ThrowsFormatException(string line) =>
        Assert.Throws<FormatException>(() => ControlChannel.ParseCommand(line));

    [Fact]
    public void TryParseReply_HostLogLine_ReturnsFalse()
    {
        Assert.False(ControlChannel.TryParseReply("warn: Orleans.Runtime.Watchdog[100150]", out _));
        Assert.False(ControlChannel.TryParseReply("@bench not json", out _));
    }

    [Fact]
    public void TryParseReply_FormattedReply_CarriesBody()
    {
        var stats = new SinkStats(Calls: 3, Changes: 12_100, FirstAt: 10, LastEndedAt: 20, BusyMs: 1.5, Active: 1);

        Assert.True(ControlChannel.TryParseReply(ControlChannel.FormatReply(4, stats), out var reply));

        Assert.Equal(4, reply.Id);
        Assert.Null(reply.Error);
        Assert.Equal(stats, reply.Read<SinkStats>());
    }

    [Fact]
    public void Read_ErrorReply_Throws()
    {
        Assert.True(ControlChannel.TryParseReply(ControlChannel.FormatError(5, "unknown verb x"), out var reply));

        var error = Assert.Throws<InvalidOperationException>(() => reply.Read<SinkStats>());
        Assert.Contains("unknown verb x", error.Message, StringComparison.Ordinal);
    }
}
