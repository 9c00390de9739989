using ControlPlane.Bench;
using ControlPlane.Bench.Scenarios;
using ControlPlane.Bench.Server;

// The server process a scenario starts: the host, answering on stdin/stdout.
if (args.Length > 0 && args[0] == ServerMode.Flag)
{
    return await ServerMode.RunAsync(args[1..], CancellationToken.None);
}

// Usage: ControlPlane.Bench [--quick] [--scenario NAME]... [--results DIR] [--list]
var quick = false;
var list = false;
var selected = new List<string>();
var results = Path.Combine("bench", "results");
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--quick":
            quick = true;
            break;
        case "--list":
            list = true;
            break;
        case "--scenario" when i + 1 < args.Length:
            selected.Add(args[++i]);
            break;
        case "--results" when i + 1 < args.Length:
            results = args[++i];
            break;
        default:
            Console.Error.WriteLine($"bench: unknown argument {args[i]}; usage: [--quick] [--scenario NAME]... [--results DIR] [--list]");
            return 2;
    }
}

if (list)
{
    foreach (var scenario in ScenarioCatalog.All)
    {
        Console.WriteLine($"{scenario.Name,-20} {scenario.Description}");
    }
    return 0;
}

var unknown = selected.Where(s => ScenarioCatalog.All.All(c => c.Name != s)).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"bench: unknown scenario {string.Join(", ", unknown)}; --list shows them");
    return 2;
}

var settings = new BenchSettings(quick);
var failed = 0;
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
foreach (var scenario in ScenarioCatalog.All.Where(s => selected.Count == 0 || selected.Contains(s.Name)))
{
    Console.WriteLine($"== {scenario.Name} ({(quick ? "quick" : "full")}): {scenario.Description}");
    try
    {
        var result = await scenario.RunAsync(settings, cancel.Token);
        var path = ResultWriter.Write(result, results, Console.Out);
        Console.WriteLine($"  written to {path}");
    }
    catch (Exception ex) when (ex is not OperationCanceledException || !cancel.IsCancellationRequested)
    {
        failed++;
        Console.Error.WriteLine($"bench: {scenario.Name} failed: {ex}");
    }
}
return failed == 0 ? 0 : 1;
