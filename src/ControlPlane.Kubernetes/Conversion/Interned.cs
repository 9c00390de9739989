using System.Diagnostics.CodeAnalysis;
using ControlPlane.Ambient.Collections;

namespace ControlPlane.Kubernetes.Conversion;

/// <summary>
/// The pools every converted object goes through, so values that repeat across objects (label keys
/// and values, namespace, node and service account names, port names, protocols, the ports and labels
/// every pod of a Deployment carries) are held once rather than once per object, as parsing makes them.
/// </summary>
/// <remarks>
/// Bounded (see <see cref="StringPool"/>): a fixed number of slots per pool, and only short strings and
/// small maps and lists are pooled, so whatever a cluster holds, what the pools alone keep alive has a
/// fixed ceiling (a few megabytes). Unique values
/// (object names, uids, IPs) are not pooled: they would only evict the shared ones.
/// </remarks>
internal static class Interned
{
    /// <summary>Longer strings are rarely shared (label values stop at 63 characters).</summary>
    private const int MaxStringLength = 64;

    /// <summary>Larger maps and lists are rarely shared.</summary>
    private const int MaxItems = 8;

    private static readonly StringPool Strings = new(16_384, MaxStringLength);

    /// <summary>The pooled string equal to <paramref name="value"/>.</summary>
    [return: NotNullIfNotNull(nameof(value))]
    public static string? String(string? value) => Strings.Intern(value);

    /// <summary>The pooled string spelled by <paramref name="value"/>; allocates only on a miss.</summary>
    public static string String(ReadOnlySpan<char> value) => Strings.Intern(value);

    /// <summary>A map of pooled keys and values; the pooled map itself when it is small.</summary>
    public static StringMap Map(IEnumerable<KeyValuePair<string, string>>? entries)
    {
        if (entries is null)
        {
            return StringMap.Empty;
        }
        var small = true;
        var map = new StringMap(entries.Select(entry =>
        {
            // A value parsed from `key:` is null whatever the type says; the map keeps it as it always has.
            small &= entry.Key.Length <= MaxStringLength && (entry.Value?.Length ?? 0) <= MaxStringLength;
            return new KeyValuePair<string, string>(Strings.Intern(entry.Key), Strings.Intern(entry.Value)!);
        }));
        return small && map.Count <= MaxItems ? Pool<StringMap>.Values.Intern(map) : map;
    }

    /// <summary>The pooled list equal to <paramref name="items"/> when it is short; a new one otherwise.</summary>
    /// <remarks>Pool only lists of small values (ports, not endpoints).</remarks>
    public static ValueList<T> List<T>(IReadOnlyCollection<T> items)
    {
        var list = new ValueList<T>(items);
        return items.Count <= MaxItems ? Pool<ValueList<T>>.Values.Intern(list) : list;
    }

    /// <summary>The pooled record equal to <paramref name="value"/> (of pooled strings; small).</summary>
    public static T Value<T>(T value) => Pool<T>.Values.Intern(value);

    /// <summary>One pool per type of value.</summary>
    private static class Pool<T>
    {
        public static readonly ValuePool<T> Values = new(2_048);
    }
}
