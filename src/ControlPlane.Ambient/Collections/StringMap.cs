using System.Collections;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace ControlPlane.Ambient.Collections;

/// <summary>An immutable, ordinally sorted string map with value equality (labels, annotations, selectors).</summary>
public readonly struct StringMap : IEquatable<StringMap>, IReadOnlyDictionary<string, string>
{
    private readonly ImmutableSortedDictionary<string, string>? _map;

    public StringMap(IEnumerable<KeyValuePair<string, string>> entries) =>
        _map = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, entries);

    public static StringMap Empty => default;

    private ImmutableSortedDictionary<string, string> Map => _map ?? ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    public int Count => _map?.Count ?? 0;

    public string this[string key] => Map[key];

    public IEnumerable<string> Keys => Map.Keys;

    public IEnumerable<string> Values => Map.Values;

    public bool ContainsKey(string key) => Map.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value) => Map.TryGetValue(key, out value);

    public string? Get(string key) => TryGetValue(key, out var value) ? value : null;

    /// <summary>True when every entry of this map is in <paramref name="labels"/> (label selector match).</summary>
    public bool IsSubsetOf(StringMap labels)
    {
        foreach (var (key, value) in Map)
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }
        return true;
    }

    public bool Equals(StringMap other)
    {
        if (Count != other.Count)
        {
            return false;
        }
        foreach (var (key, value) in Map)
        {
            if (!other.TryGetValue(key, out var theirs) || theirs != value)
            {
                return false;
            }
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is StringMap other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (key, value) in Map)
        {
            hash.Add(key);
            hash.Add(value);
        }
        return hash.ToHashCode();
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => Map.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public static bool operator ==(StringMap left, StringMap right) => left.Equals(right);

    public static bool operator !=(StringMap left, StringMap right) => !left.Equals(right);

    public override string ToString() => $"{{{string.Join(", ", Map.Select(e => $"{e.Key}={e.Value}"))}}}";
}
