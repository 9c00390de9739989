namespace ControlPlane.Integration.Tests.GrpcXds;

/// <summary>What a batch of RPCs through the xDS client did: answers per backend, failures per status.</summary>
public sealed record CallResult(int Calls, IReadOnlyDictionary<string, int> Backends, IReadOnlyDictionary<string, int> Errors)
{
    public int Answered(string backend) => Backends.GetValueOrDefault(backend);

    public int Failed => Errors.Values.Sum();

    /// <summary>True when every RPC succeeded and was answered by <paramref name="backend"/>.</summary>
    public bool AllAnsweredBy(string backend) => Failed == 0 && Answered(backend) == Calls;

    public override string ToString() =>
        $"{Calls} calls; answered: {Format(Backends)}; failed: {Format(Errors)}";

    private static string Format(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} × {c.Value}"));
}
