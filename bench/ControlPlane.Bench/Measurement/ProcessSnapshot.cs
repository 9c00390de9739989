using System.Diagnostics;

namespace ControlPlane.Bench;

/// <summary>This process's memory and CPU at one moment.</summary>
public sealed record ProcessSnapshot(long ResidentBytes, long ManagedHeapBytes, TimeSpan CpuTime)
{
    /// <summary>Takes a snapshot; with <paramref name="collect"/> a full blocking GC first, so the heap figure is live data only.</summary>
    public static ProcessSnapshot Take(bool collect = false)
    {
        if (collect)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
        using var process = Process.GetCurrentProcess();
        return new ProcessSnapshot(process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: false), process.TotalProcessorTime);
    }

    public static double Megabytes(long bytes) => Math.Round(bytes / (1024d * 1024d), 1);

    public static double Kilobytes(long bytes) => Math.Round(bytes / 1024d, 1);
}
