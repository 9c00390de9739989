using System.Text.Json;

namespace ControlPlane.Bench.Server;

/// <summary>
/// The line protocol between the benchmark and its server process. Commands are JSON lines on the
/// server's stdin; answers are JSON lines on its stdout prefixed with <see cref="ReplyPrefix"/>, so they
/// stay apart from whatever the host logs to the console.
/// </summary>
public static class ControlChannel
{
    public const string ReplyPrefix = "@bench ";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string FormatCommand(ServerCommand command) => JsonSerializer.Serialize(command, Json);

    public static ServerCommand ParseCommand(string line)
    {
        ServerCommand? command;
        try
        {
            command = JsonSerializer.Deserialize<ServerCommand>(line, Json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"not a command: {ex.Message}", ex);
        }
        return command is { Verb.Length: > 0 } ? command : throw new FormatException("not a command: no verb");
    }

    public static string FormatReply<T>(int id, T body) =>
        ReplyPrefix + JsonSerializer.Serialize(new Envelope(id, null, JsonSerializer.SerializeToElement(body, Json)), Json);

    public static string FormatError(int id, string error) =>
        ReplyPrefix + JsonSerializer.Serialize(new Envelope(id, error, null), Json);

    /// <summary>Reads an answer line; false for any other line (host logs).</summary>
    public static bool TryParseReply(string line, out ServerReply reply)
    {
        reply = null!;
        if (!line.StartsWith(ReplyPrefix, StringComparison.Ordinal))
        {
            return false;
        }
        Envelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<Envelope>(line.AsSpan(ReplyPrefix.Length), Json);
        }
        catch (JsonException)
        {
            return false;
        }
        if (envelope is null)
        {
            return false;
        }
        reply = new ServerReply(envelope.Id, envelope.Error, envelope.Body ?? default);
        return true;
    }

    private sealed record Envelope(int Id, string? Error, JsonElement? Body);
}
