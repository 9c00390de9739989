using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace ControlPlane.Ambient.Collections;

/// <summary>
/// A bounded, thread-safe intern cache for short strings that repeat across objects (label keys and
/// values, namespace and node names, port names, protocols): equal values share one instance.
/// </summary>
/// <remarks>
/// A fixed array of slots indexed by the string's hash, one string a slot; a newcomer replaces whatever
/// held its slot. So memory is bounded by <c>capacity × maxLength</c> whatever the input, and an
/// eviction only costs a second copy, never a wrong answer. No locks: a slot is one reference, read and
/// written atomically; two threads racing on a slot each get a correct string. Hashes are the runtime's
/// randomized ones, so values written to collide cannot keep evicting the common ones. Pool values that
/// repeat; unique ones (names, uids, IPs) would only churn the slots.
/// </remarks>
public sealed class StringPool
{
    private readonly string?[] _slots;
    private readonly int _maxLength;

    /// <param name="capacity">Number of slots, rounded up to a power of two.</param>
    /// <param name="maxLength">Longer strings are returned as they are, not pooled.</param>
    public StringPool(int capacity, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        _slots = new string?[(int)BitOperations.RoundUpToPowerOf2((uint)capacity)];
        _maxLength = maxLength;
    }

    /// <summary>The pooled instance equal to <paramref name="value"/>: <paramref name="value"/> itself when it was not pooled yet.</summary>
    [return: NotNullIfNotNull(nameof(value))]
    public string? Intern(string? value) => value is null ? null : Intern(value, value);

    /// <summary>The pooled string equal to <paramref name="value"/>; allocates only when it is not pooled.</summary>
    public string Intern(ReadOnlySpan<char> value) => Intern(value, null);

    /// <param name="instance">A string equal to <paramref name="value"/> to pool, or null to make one on a miss.</param>
    private string Intern(ReadOnlySpan<char> value, string? instance)
    {
        if (value.Length > _maxLength)
        {
            return instance ?? value.ToString();
        }
        if (value.IsEmpty)
        {
            return string.Empty;
        }
        ref var slot = ref _slots[string.GetHashCode(value) & (_slots.Length - 1)];
        var pooled = Volatile.Read(ref slot);
        if (pooled is not null && value.SequenceEqual(pooled))
        {
            return pooled;
        }
        instance ??= value.ToString();
        Volatile.Write(ref slot, instance);
        return instance;
    }
}
