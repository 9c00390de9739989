using System.Collections.Concurrent;
using ControlPlane.Kubernetes.Informers;

namespace ControlPlane.Kubernetes.Tests;

/// <summary>An informer consumer for tests: records every delivered batch and can refuse deliveries.</summary>
public sealed class ChangeRecorder<T>
    where T : class
{
    private readonly ConcurrentQueue<IReadOnlyList<InformerChange<T>>> _batches = new();
    private int _failures;

    public IReadOnlyList<IReadOnlyList<InformerChange<T>>> Batches => [.. _batches];

    public IReadOnlyList<InformerChange<T>> Changes => [.. _batches.SelectMany(b => b)];

    /// <summary>The next <paramref name="count"/> deliveries throw (as an unavailable grain would).</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _failures, count);

    public Task DeliverAsync(IReadOnlyList<InformerChange<T>> changes, CancellationToken cancellationToken)
    {
        if (Interlocked.Decrement(ref _failures) >= 0)
        {
            throw new TimeoutException("the sink is unavailable (test)");
        }
        Interlocked.Exchange(ref _failures, 0);
        _batches.Enqueue(changes);
        return Task.CompletedTask;
    }

    /// <summary>Takes the changes recorded so far (and forgets them), as "Name:what" strings sorted.</summary>
    public IReadOnlyList<string> Take()
    {
        var taken = new List<string>();
        while (_batches.TryDequeue(out var batch))
        {
            taken.AddRange(batch.Select(c => $"{c.Name}:{(c.Current is null ? "deleted" : c.Previous is null ? "added" : "updated")}"));
        }
        taken.Sort(StringComparer.Ordinal);
        return taken;
    }
}
