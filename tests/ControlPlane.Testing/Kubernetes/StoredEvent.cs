using System.Text.Json.Nodes;

namespace ControlPlane.Testing.Kubernetes;

/// <summary>One change in the double's history: the object before (null when created) and after (for a delete, its last state stamped with the deletion's resourceVersion).</summary>
internal sealed record StoredEvent(long Revision, ApiResource Resource, string Type, JsonObject? Old, JsonObject New)
{
    /// <summary>The object's namespace; empty for cluster-scoped objects (as watches of them ask for).</summary>
    public string Namespace => New["metadata"]?["namespace"]?.GetValue<string>() ?? string.Empty;
}
