using System.Globalization;

namespace ControlPlane.Bench;

/// <summary>The machine's load averages (1, 5, 15 minutes) from <c>/proc/loadavg</c>; empty where there is none.</summary>
public static class MachineLoad
{
    public static double[] Read()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return [.. fields.Take(3).Select(f => double.Parse(f, CultureInfo.InvariantCulture))];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return [];
        }
    }
}
