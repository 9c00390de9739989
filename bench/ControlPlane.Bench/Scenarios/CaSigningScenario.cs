using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ControlPlane.Ca.Identity;
using ControlPlane.Ca.Signing;
using ControlPlane.Testing;
using Grpc.Net.Client;
using Istio.V1.Auth;

namespace ControlPlane.Bench.Scenarios;

/// <summary>
/// Workload certificates signed per second (ECDSA P-256 CSRs, as ztunnel sends them) by 50 concurrent
/// callers: first the signer alone (CSR check + signing, in process), then through the real endpoint
/// (TLS gRPC on the secure port, a bearer token per call, each caller on its own connection).
/// </summary>
public sealed class CaSigningScenario : IScenario
{
    private const int Callers = 50;
    private const string Token = "bench-token";

    public string Name => "ca-sign";

    public string Description => "ECDSA P-256 certificates signed per second by 50 concurrent callers: signer alone, and through TLS gRPC CreateCertificate";

    public async Task<ScenarioResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var duration = TimeSpan.FromSeconds(settings.Size(5, 20));
        var result = new ScenarioResult(Name, Description, settings).Add("callers", Callers).Add("duration_s", duration.TotalSeconds);
        // Distinct requests made beforehand, so the clients' key generation is not measured.
        var csrs = Enumerable.Range(0, 512).Select(_ => NewCsr()).ToArray();

        var signer = await MeasureSignerAsync(csrs, duration, cancellationToken).ConfigureAwait(false);
        var endpoint = await MeasureEndpointAsync(csrs, duration, cancellationToken).ConfigureAwait(false);

        result.Add("signer_certs_per_s", signer.Rate).Add("signer_latency", signer.Latency)
            .Add("grpc_certs_per_s", endpoint.Rate).Add("grpc_latency", endpoint.Latency)
            .Target("signer_certs_per_s", signer.Rate, 1000, lowerIsBetter: false)
            .Target("grpc_certs_per_s", endpoint.Rate, 1000, lowerIsBetter: false);
        result.Summary = $"{Name}: signer {signer.Rate:0} certs/s (p99 {signer.Latency.P99:0.##} ms), " +
            $"TLS gRPC {endpoint.Rate:0} certs/s (p99 {endpoint.Latency.P99:0.##} ms) with {Callers} concurrent callers";
        return result;
    }

    private static async Task<Measurement> MeasureSignerAsync(string[] csrs, TimeSpan duration, CancellationToken cancellationToken)
    {
        var (cert, key) = SelfSignedRoot.Generate("cluster.local", TimeSpan.FromDays(365), DateTimeOffset.UtcNow);
        using var authority = new CertificateAuthority(CaKeyMaterial.FromPem(cert, key, null, null, "bench", DateTimeOffset.UtcNow));
        var identity = new SpiffeId("cluster.local", "bench", "workload");
        return await RunCallersAsync(csrs, duration, (csr, _) =>
        {
            var chain = authority.SignWorkload(CsrReader.ReadPublicKey(csr), identity, TimeSpan.FromHours(24), DateTimeOffset.UtcNow);
            return chain.Count == 2 ? Task.CompletedTask : throw new InvalidOperationException("unexpected chain");
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Measurement> MeasureEndpointAsync(string[] csrs, TimeSpan duration, CancellationToken cancellationToken)
    {
        var tokens = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(tokens, $"{Token} bench/workload\n", cancellationToken).ConfigureAwait(false);
            await using var server = await TestControlPlane.StartAsync("--token-file", tokens).ConfigureAwait(false);
            var channels = Enumerable.Range(0, Callers).Select(_ => server.CreateSecureChannel(token: Token)).ToArray();
            try
            {
                var clients = channels.Select(c => new IstioCertificateService.IstioCertificateServiceClient(c)).ToArray();
                return await RunCallersAsync(csrs, duration, async (csr, caller) =>
                {
                    var response = await clients[caller].CreateCertificateAsync(
                        new IstioCertificateRequest { Csr = csr, ValidityDuration = 86400 }, cancellationToken: cancellationToken).ConfigureAwait(false);
                    if (response.CertChain.Count != 2)
                    {
                        throw new InvalidOperationException("unexpected chain");
                    }
                }, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                foreach (var channel in channels)
                {
                    channel.Dispose();
                }
            }
        }
        finally
        {
            File.Delete(tokens);
        }
    }

    /// <summary>
    /// <see cref="Callers"/> loops call <paramref name="sign"/> back to back: a warm-up of a second, then
    /// <paramref name="duration"/> measured (completions per second, and each call's latency).
    /// </summary>
    private static async Task<Measurement> RunCallersAsync(string[] csrs, TimeSpan duration, Func<string, int, Task> sign, CancellationToken cancellationToken)
    {
        var warmUp = TimeSpan.FromSeconds(1);
        var samples = new List<double>[Callers];
        var completed = new long[Callers];
        var start = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            var mine = samples[caller] = [];
            var next = caller;
            while (!cancellationToken.IsCancellationRequested)
            {
                var began = Stopwatch.GetTimestamp();
                var sinceStart = Stopwatch.GetElapsedTime(start, began);
                if (sinceStart >= warmUp + duration)
                {
                    return;
                }
                await sign(csrs[next % csrs.Length], caller).ConfigureAwait(false);
                next += Callers;
                if (sinceStart >= warmUp)
                {
                    mine.Add(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
                    completed[caller]++;
                }
            }
        }, cancellationToken)).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var rate = Math.Round(completed.Sum() / duration.TotalSeconds, 1);
        return new Measurement(rate, LatencySummary.Of(samples.SelectMany(s => s)));
    }

    private static string NewCsr()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName(string.Empty), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri("spiffe://cluster.local/ns/bench/sa/workload"));
        request.CertificateExtensions.Add(san.Build(critical: true));
        return request.CreateSigningRequestPem();
    }

    private sealed record Measurement(double Rate, LatencySummary Latency);
}
