using System.Numerics;

namespace ControlPlane.Ambient.Collections;

/// <summary>
/// A bounded, thread-safe intern cache for small immutable values that repeat across objects (the
/// container ports every pod of a Deployment declares, their owner, their labels): equal values share
/// one instance.
/// </summary>
/// <remarks>
/// The same scheme as <see cref="StringPool"/>: a fixed array of slots indexed by hash, a newcomer
/// replacing what held its slot, no locks. A slot holds the value with its hash, so a miss rarely
/// costs an equality check. The caller bounds the size of what it pools (it keeps at most
/// <c>capacity</c> values alive).
/// </remarks>
public sealed class ValuePool<T>
{
    private readonly Entry?[] _slots;
    private readonly IEqualityComparer<T> _comparer;

    /// <param name="capacity">Number of slots, rounded up to a power of two.</param>
    public ValuePool(int capacity, IEqualityComparer<T>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _slots = new Entry?[(int)BitOperations.RoundUpToPowerOf2((uint)capacity)];
        _comparer = comparer ?? EqualityComparer<T>.Default;
    }

    /// <summary>The pooled value equal to <paramref name="value"/>: <paramref name="value"/> itself when it was not pooled yet.</summary>
    public T Intern(T value)
    {
        var hash = value is null ? 0 : _comparer.GetHashCode(value);
        ref var slot = ref _slots[hash & (_slots.Length - 1)];
        var entry = Volatile.Read(ref slot);
        if (entry is not null && entry.Hash == hash && _comparer.Equals(entry.Value, value))
        {
            return entry.Value;
        }
        Volatile.Write(ref slot, new Entry(hash, value));
        return value;
    }

    private sealed record Entry(int Hash, T Value);
}
