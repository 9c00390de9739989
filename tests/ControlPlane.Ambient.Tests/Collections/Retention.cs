using System.Runtime.CompilerServices;

namespace ControlPlane.Ambient.Tests.Collections;

/// <summary>How many of many made objects survive a full collection: what a pool keeps alive.</summary>
internal static class Retention
{
    public static int AliveAfterCollect<T>(int count, Func<int, T> make)
        where T : class
    {
        var references = Make(count, make);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return references.Count(reference => reference.TryGetTarget(out _));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<WeakReference<T>> Make<T>(int count, Func<int, T> make)
        where T : class
    {
        var references = new List<WeakReference<T>>(count);
        for (var i = 0; i < count; i++)
        {
            references.Add(new WeakReference<T>(make(i)));
        }
        return references;
    }
}
