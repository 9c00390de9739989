using System.Text.Json.Nodes;

namespace ControlPlane.Testing.Kubernetes;

/// <summary>A request the double refuses; sent as a <c>Status</c> object with the API server's code and reason.</summary>
internal sealed class ApiError(int code, string reason, string message) : Exception(message)
{
    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public JsonObject ToStatus() => Status(Code, Reason, Message);

    public static JsonObject Status(int code, string reason, string message) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = code,
    };

    public static ApiError NotFound(ApiResource resource, string name) =>
        new(404, "NotFound", $"{resource} \"{name}\" not found");

    public static ApiError NoResource() => new(404, "NotFound", "the server could not find the requested resource");

    public static ApiError BadRequest(string message) => new(400, "BadRequest", message);
}
