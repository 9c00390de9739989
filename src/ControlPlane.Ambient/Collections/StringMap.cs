using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace ControlPlane.Ambient.Collections;

/// <summary>An immutable, ordinally sorted string map with value equality (labels, annotations, selectors).</summary>
/// <remarks>
/// One array of alternating keys and values, sorted ordinally by key: a pod holds a few of these, so a
/// tree of nodes per map (what a sorted dictionary costs) would be most of its weight. Lookups are binary
/// searches; equality and subset checks walk both arrays in order. Immutable, so Orleans copies of a
/// record share its maps rather than rebuilding them.
/// </remarks>
[Immutable]
public readonly struct StringMap : IEquatable<StringMap>, IReadOnlyDictionary<string, string>
{
    /// <summary>Key at even indices, its value after it; null when empty.</summary>
    private readonly string[]? _entries;

    /// <exception cref="ArgumentException">A key appears twice with different values.</exception>
    public StringMap(IEnumerable<KeyValuePair<string, string>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var pairs = entries.ToArray();
        if (pairs.Length == 0)
        {
            return;
        }
        Array.Sort(pairs, static (left, right) => string.CompareOrdinal(left.Key, right.Key));
        var flat = new string[pairs.Length * 2];
        var count = 0;
        foreach (var (key, value) in pairs)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(entries));
            if (count > 0 && string.Equals(flat[count - 2], key, StringComparison.Ordinal))
            {
                // Repeating an entry is harmless; contradicting one is an error (as a dictionary would say).
                if (!string.Equals(flat[count - 1], value, StringComparison.Ordinal))
                {
                    throw new ArgumentException($"An item with the same key has already been added. Key: {key}", nameof(entries));
                }
                continue;
            }
            flat[count++] = key;
            flat[count++] = value;
        }
        _entries = count == flat.Length ? flat : flat[..count];
    }

    public static StringMap Empty => default;

    public int Count => _entries is null ? 0 : _entries.Length / 2;

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The given key '{key}' was not present in the map.");

    public IEnumerable<string> Keys => Every(0);

    public IEnumerable<string> Values => Every(1);

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var index = IndexOf(key);
        value = index >= 0 ? _entries![index + 1] : null;
        return index >= 0;
    }

    public string? Get(string key) => TryGetValue(key, out var value) ? value : null;

    /// <summary>True when every entry of this map is in <paramref name="labels"/> (label selector match).</summary>
    public bool IsSubsetOf(StringMap labels)
    {
        var mine = _entries ?? [];
        var theirs = labels._entries ?? [];
        var j = 0;
        for (var i = 0; i < mine.Length; i += 2)
        {
            // Both are sorted by key: advance through theirs to where this key would stand.
            while (j < theirs.Length && string.CompareOrdinal(theirs[j], mine[i]) < 0)
            {
                j += 2;
            }
            if (j >= theirs.Length || !string.Equals(theirs[j], mine[i], StringComparison.Ordinal) || !string.Equals(theirs[j + 1], mine[i + 1], StringComparison.Ordinal))
            {
                return false;
            }
            j += 2;
        }
        return true;
    }

    public bool Equals(StringMap other)
    {
        if (ReferenceEquals(_entries, other._entries))
        {
            return true;
        }
        if (Count != other.Count)
        {
            return false;
        }
        // Same count and both sorted with distinct keys: equal maps have equal arrays.
        return _entries.AsSpan().SequenceEqual(other._entries);
    }

    public override bool Equals(object? obj) => obj is StringMap other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var entry in _entries ?? [])
        {
            hash.Add(entry);
        }
        return hash.ToHashCode();
    }

    public Enumerator GetEnumerator() => new(_entries);

    IEnumerator<KeyValuePair<string, string>> IEnumerable<KeyValuePair<string, string>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public static bool operator ==(StringMap left, StringMap right) => left.Equals(right);

    public static bool operator !=(StringMap left, StringMap right) => !left.Equals(right);

    public override string ToString() => $"{{{string.Join(", ", this.Select(e => $"{e.Key}={e.Value}"))}}}";

    /// <summary>The index of <paramref name="key"/> in the entries array, or -1.</summary>
    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var entries = _entries;
        if (entries is null)
        {
            return -1;
        }
        var low = 0;
        var high = entries.Length / 2 - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            var order = string.CompareOrdinal(entries[middle * 2], key);
            if (order == 0)
            {
                return middle * 2;
            }
            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return -1;
    }

    private IEnumerable<string> Every(int offset)
    {
        var entries = _entries ?? [];
        for (var i = offset; i < entries.Length; i += 2)
        {
            yield return entries[i];
        }
    }

    /// <summary>Walks the entries in key order without allocating.</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<string, string>>
    {
        private readonly string[]? _entries;
        private int _index;

        internal Enumerator(string[]? entries)
        {
            _entries = entries;
            _index = -2;
        }

        public readonly KeyValuePair<string, string> Current => new(_entries![_index], _entries[_index + 1]);

        readonly object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (_entries is null || _index + 2 >= _entries.Length)
            {
                return false;
            }
            _index += 2;
            return true;
        }

        public void Reset() => _index = -2;

        public readonly void Dispose()
        {
        }
    }
}
