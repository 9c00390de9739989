using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Xds.Tests.Server;

/// <summary>Keeps every log line a test server writes, so tests can check that bad input is logged.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message)> _lines = new();

    public IReadOnlyList<(string Category, LogLevel Level, string Message)> Lines => [.. _lines];

    /// <summary>Polls until a line at <paramref name="minimum"/> or above contains every fragment.</summary>
    public async Task<string> WaitForAsync(LogLevel minimum, params string[] fragments)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            foreach (var line in _lines)
            {
                if (line.Level >= minimum && fragments.All(f => line.Message.Contains(f, StringComparison.Ordinal)))
                {
                    return line.Message;
                }
            }
            Assert.True(DateTime.UtcNow < deadline,
                $"no {minimum}+ log line contains '{string.Join("', '", fragments)}'; the last lines:\n" +
                string.Join("\n", _lines.TakeLast(15).Select(l => $"{l.Level} {l.Category}: {l.Message}")));
            await Task.Delay(20);
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                capture._lines.Enqueue((category, logLevel, formatter(state, exception)));
            }
        }
    }
}
