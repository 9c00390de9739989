using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ControlPlane.Bench;

/// <summary>Writes a result as JSON to <c>&lt;dir&gt;/&lt;date&gt;-&lt;scenario&gt;.json</c> and to stdout, then its summary line.</summary>
public static class ResultWriter
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(ScenarioResult result, string directory, TextWriter output)
    {
        var document = new Dictionary<string, object?>
        {
            ["scenario"] = result.Scenario,
            ["description"] = result.Description,
            ["quick"] = result.Quick,
            ["at"] = result.At.ToString("O", CultureInfo.InvariantCulture),
            ["elapsed_s"] = Math.Round((DateTimeOffset.UtcNow - result.At).TotalSeconds, 1),
            ["machine"] = new Dictionary<string, object>
            {
                ["cores"] = Environment.ProcessorCount,
                ["os"] = Environment.OSVersion.ToString(),
                ["runtime"] = Environment.Version.ToString(),
                ["load_average_start"] = result.LoadAtStart,
                ["load_average_end"] = MachineLoad.Read(),
            },
            ["figures"] = result.Figures.ToDictionary(f => f.Key, f => f.Value),
            ["targets"] = result.Targets.Select(t => new { t.Name, t.Measured, t.Limit, Comparison = t.LowerIsBetter ? "<=" : ">=", t.Met }),
            ["summary"] = result.Summary,
        };
        var text = JsonSerializer.Serialize(document, Json);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{result.At:yyyy-MM-dd}-{result.Scenario}{(result.Quick ? "-quick" : string.Empty)}.json");
        File.WriteAllText(path, text + "\n");
        output.WriteLine(text);
        output.WriteLine($"{result.Summary} [load {string.Join(" ", result.LoadAtStart)}; {document["elapsed_s"]} s]");
        foreach (var target in result.Targets)
        {
            output.WriteLine($"  target {target}");
        }
        return path;
    }
}
