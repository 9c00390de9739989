using System.ComponentModel;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Threading.Channels;

namespace ControlPlane.Integration.Tests.GrpcXds;

/// <summary>
/// One Node program of integration/grpc-xds, talking JSON lines on stdout and commands on stdin. Keeps
/// the tail of stderr for failure messages. Disposing closes stdin (the programs exit on EOF) and kills
/// the process only if it does not go by itself.
/// </summary>
public sealed class HarnessProcess : IAsyncDisposable
{
    private const int StderrLinesKept = 200;

    private readonly Process _process;
    private readonly Channel<string> _stdout = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Queue<string> _stderr = new();
    private readonly string _name;

    private HarnessProcess(Process process, string name)
    {
        _process = process;
        _name = name;
    }

    /// <summary>integration/grpc-xds of this checkout (set by the test project at build time).</summary>
    public static string HarnessDirectory { get; } = typeof(HarnessProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "GrpcXdsHarnessDir").Value!;

    /// <summary>What the program wrote to stderr lately (newest last).</summary>
    public string StderrTail
    {
        get
        {
            lock (_stderr)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    public static HarnessProcess Start(string script, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(Path.Combine(HarnessDirectory, "node_modules", "@grpc", "grpc-js-xds", "package.json")))
        {
            throw new InvalidOperationException(
                $"the Node harness in {HarnessDirectory} is not installed; building ControlPlane.Integration.Tests runs 'npm ci' there");
        }
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = HarnessDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var harness = new HarnessProcess(process, script);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                harness._stdout.Writer.TryComplete();
            }
            else if (e.Data.Length > 0)
            {
                harness._stdout.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (harness._stderr)
            {
                harness._stderr.Enqueue(e.Data);
                if (harness._stderr.Count > StderrLinesKept)
                {
                    harness._stderr.Dequeue();
                }
            }
        };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            process.Dispose();
            throw new InvalidOperationException("cannot start 'node': Node.js must be on PATH (.ci/run installs it)", ex);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return harness;
    }

    public async Task SendAsync(string command, CancellationToken cancellationToken)
    {
        await _process.StandardInput.WriteLineAsync(command.AsMemory(), cancellationToken).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The next line of stdout as JSON; fails with the program's stderr if it ends or goes silent.</summary>
    public async Task<JsonElement> ReadJsonAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        string line;
        try
        {
            if (!await _stdout.Reader.WaitToReadAsync(deadline.Token).ConfigureAwait(false) || !_stdout.Reader.TryRead(out line!))
            {
                await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                throw new InvalidOperationException($"{_name} exited with code {_process.ExitCode}; stderr:\n{StderrTail}");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{_name} wrote nothing for {timeout}; stderr:\n{StderrTail}");
        }
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{_name} wrote a line that is not JSON: {line}", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                try
                {
                    _process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // It exited meanwhile; nothing left to flush.
                }
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}
