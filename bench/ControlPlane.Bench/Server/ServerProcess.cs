using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;

namespace ControlPlane.Bench.Server;

/// <summary>
/// Runs the control plane host in a child process (<see cref="ServerMode"/>) and talks to it over
/// <see cref="ControlChannel"/>. The host's log lines are passed on to this process's stderr.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly Process _process;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<ServerReply>> _pending = new();
    private readonly Task _stdout;
    private readonly Task _stderr;
    private readonly Lock _writeGate = new();
    private int _nextId;

    private ServerProcess(Process process)
    {
        _process = process;
        _pending[0] = new TaskCompletionSource<ServerReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _stdout = PumpAsync(process.StandardOutput, replies: true);
        _stderr = PumpAsync(process.StandardError, replies: false);
    }

    public int Pid => _process.Id;

    public ServerReady Ready { get; private set; } = null!;

    public Uri XdsAddress => new($"http://127.0.0.1:{Ready.XdsPort}");

    public Uri HttpAddress => new($"http://127.0.0.1:{Ready.HttpPort}");

    /// <summary>
    /// Starts the host with <paramref name="hostArgs"/> (e.g. <c>--config-dir</c>, <c>--Xds:DebounceMilliseconds=0</c>)
    /// and waits until it serves.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(IReadOnlyList<string> hostArgs, CancellationToken cancellationToken)
    {
        var executable = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which executable runs the benchmark");
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(executable) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }
        start.ArgumentList.Add(ServerMode.Flag);
        foreach (var arg in hostArgs)
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        var server = new ServerProcess(process);
        try
        {
            var ready = await server._pending[0].Task.WaitAsync(StartTimeout, cancellationToken).ConfigureAwait(false);
            server.Ready = ready.Read<ServerReady>();
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return server;
    }

    public async Task<ServerStats> StatsAsync(bool collect, CancellationToken cancellationToken) =>
        (await SendAsync(new ServerCommand(0, ServerVerbs.Stats, Collect: collect), TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false)).Read<ServerStats>();

    /// <summary>Waits until the hub table of <paramref name="typeUrl"/> holds at least <paramref name="count"/> resources.</summary>
    public async Task<WaitResult> WaitForResourcesAsync(string typeUrl, int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var command = new ServerCommand(0, ServerVerbs.WaitResources, TypeUrl: typeUrl, Count: count, TimeoutMs: (int)timeout.TotalMilliseconds);
        var result = (await SendAsync(command, timeout + TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false)).Read<WaitResult>();
        return result.Reached
            ? result
            : throw new TimeoutException($"the hub holds {result.Count} {typeUrl} resources after {timeout}, expected {count}");
    }

    public async Task ResetSinkAsync(CancellationToken cancellationToken) =>
        (await SendAsync(new ServerCommand(0, ServerVerbs.ResetSink), TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false)).Read<bool>();

    /// <summary>Starts a floor server inside the server process; every stream first gets <paramref name="initialPayloadBytes"/> bytes.</summary>
    public async Task<Uri> StartFloorAsync(int initialPayloadBytes, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(new ServerCommand(0, ServerVerbs.StartFloor, Count: initialPayloadBytes), TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
        return new Uri($"http://127.0.0.1:{reply.Read<int>()}");
    }

    public async Task ArmStagesAsync(CancellationToken cancellationToken) =>
        (await SendAsync(new ServerCommand(0, ServerVerbs.ArmStages), TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false)).Read<bool>();

    public async Task<IReadOnlyList<StageEvent>> StagesAsync(CancellationToken cancellationToken) =>
        (await SendAsync(new ServerCommand(0, ServerVerbs.Stages), TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false)).Read<List<StageEvent>>();

    /// <summary>
    /// True when the server's timestamps can be compared with ours: its clock read during a round trip
    /// lies within it (both are CLOCK_MONOTONIC on Linux; checked rather than assumed).
    /// </summary>
    public async Task<bool> ClockSharedAsync(CancellationToken cancellationToken)
    {
        var before = Stopwatch.GetTimestamp();
        var stats = await StatsAsync(collect: false, cancellationToken).ConfigureAwait(false);
        var after = Stopwatch.GetTimestamp();
        return stats.Timestamp >= before && stats.Timestamp <= after;
    }

    private async Task<ServerReply> SendAsync(ServerCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<ServerReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        lock (_writeGate)
        {
            _process.StandardInput.WriteLine(ControlChannel.FormatCommand(command with { Id = id }));
            _process.StandardInput.Flush();
        }
        try
        {
            return await reply.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task PumpAsync(StreamReader reader, bool replies)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (replies && ControlChannel.TryParseReply(line, out var reply))
            {
                if (_pending.TryGetValue(reply.Id, out var waiter))
                {
                    waiter.TrySetResult(reply);
                }
                else
                {
                    await Console.Error.WriteLineAsync($"  [server] unexpected reply {reply.Id}: {reply.Error}").ConfigureAwait(false);
                }
                continue;
            }
            await Console.Error.WriteLineAsync($"  [server] {line}").ConfigureAwait(false);
        }
        foreach (var waiter in _pending.Values)
        {
            waiter.TrySetException(new InvalidOperationException($"the server process ended (exit code {(_process.HasExited ? _process.ExitCode : -1)})"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                lock (_writeGate)
                {
                    _process.StandardInput.WriteLine(ControlChannel.FormatCommand(new ServerCommand(0, ServerVerbs.Quit)));
                    _process.StandardInput.Close();
                }
                using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _process.WaitForExitAsync(exit.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            _process.Kill(entireProcessTree: true);
        }
        await Task.WhenAll(_stdout, _stderr).ConfigureAwait(false);
        _process.Dispose();
    }
}
