using System.Text.Json.Nodes;

namespace ControlPlane.Testing.Kubernetes;

/// <summary>
/// The equality-based label selector syntax of the API (<c>a=b,c==d,e!=f,g,!h</c>). Set-based
/// expressions (<c>in</c>, <c>notin</c>) are refused, so a test never silently matches more than it asked.
/// </summary>
internal sealed class LabelSelector
{
    private readonly List<(string Key, string? Value, bool Negated)> _terms = [];

    public static LabelSelector Everything { get; } = new();

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }
        foreach (var raw in text.Split(','))
        {
            var term = raw.Trim();
            if (term.Contains(" in ", StringComparison.Ordinal) || term.Contains(" notin ", StringComparison.Ordinal) || term.Contains('(', StringComparison.Ordinal))
            {
                throw new FormatException($"set-based label selector '{term}' is not supported by the API server double");
            }
            var notEqual = term.IndexOf("!=", StringComparison.Ordinal);
            var equal = term.IndexOf('=', StringComparison.Ordinal);
            if (notEqual > 0)
            {
                selector._terms.Add((term[..notEqual].Trim(), term[(notEqual + 2)..].Trim(), true));
            }
            else if (equal > 0)
            {
                var value = term[(equal + 1)..].TrimStart('=').Trim();
                selector._terms.Add((term[..equal].Trim(), value, false));
            }
            else if (term.StartsWith('!') && term.Length > 1)
            {
                selector._terms.Add((term[1..].Trim(), null, true));
            }
            else if (term.Length > 0 && !term.Contains('=', StringComparison.Ordinal))
            {
                selector._terms.Add((term, null, false));
            }
            else
            {
                throw new FormatException($"invalid label selector term '{term}'");
            }
        }
        return selector;
    }

    public bool Matches(JsonObject obj)
    {
        var labels = obj["metadata"]?["labels"] as JsonObject;
        foreach (var (key, value, negated) in _terms)
        {
            var present = labels?.TryGetPropertyValue(key, out var node) == true;
            var actual = present ? labels![key]?.GetValue<string>() : null;
            var match = value is null ? present : present && actual == value;
            if (match == negated)
            {
                return false;
            }
        }
        return true;
    }
}
