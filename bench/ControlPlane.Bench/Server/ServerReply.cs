using System.Text.Json;

namespace ControlPlane.Bench.Server;

/// <summary>An answer of the server process: the command's id, and a JSON body or an error.</summary>
public sealed record ServerReply(int Id, string? Error, JsonElement Body)
{
    public T Read<T>() =>
        Error is not null
            ? throw new InvalidOperationException($"server process: {Error}")
            : Body.Deserialize<T>(ControlChannel.Json) ?? throw new InvalidDataException($"server process sent an empty {typeof(T).Name}");
}
