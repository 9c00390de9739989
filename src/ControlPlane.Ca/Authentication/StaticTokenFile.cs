using System.Security.Cryptography;
using System.Text;
using ControlPlane.Ca.Identity;

namespace ControlPlane.Ca.Authentication;

/// <summary>
/// The static token file: one token per line, mapped to the identity it stands for, for demos, tests
/// and config-directory meshes without a Kubernetes API server.
/// <code>
/// # token                    namespace/serviceaccount   [pod name]      [pod uid]
/// ztunnel-node-a-secret      istio-system/ztunnel       ztunnel-a1b2c   0f3c...
/// shop-frontend-secret       shop/frontend
/// </code>
/// Fields are separated by spaces or tabs; <c>#</c> starts a comment. Pod name and UID let a node
/// account's token pass node authorization against the pods of the config directory. Tokens are kept
/// only as SHA-256 digests.
/// </summary>
public sealed class StaticTokenFile
{
    private readonly Dictionary<string, Entry> _entries;

    private StaticTokenFile(Dictionary<string, Entry> entries) => _entries = entries;

    public int Count => _entries.Count;

    /// <summary>Parses the file's text; throws <see cref="InvalidOperationException"/> naming the bad line (never its token).</summary>
    public static StaticTokenFile Parse(string text, string trustDomain, string path)
    {
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var hash = rawLine.IndexOf('#', StringComparison.Ordinal);
            var line = (hash >= 0 ? rawLine[..hash] : rawLine).Trim();
            if (line.Length == 0)
            {
                continue;
            }
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length is < 2 or > 4)
            {
                throw new InvalidOperationException($"{path}:{lineNumber}: expected 'token namespace/serviceaccount [pod-name [pod-uid]]', found {fields.Length} fields");
            }
            if (!CaOptionsValidator.TryParseAccount(fields[1], out var ns, out var serviceAccount)
                || !SpiffeId.TryCreate(trustDomain, ns, serviceAccount, out var id))
            {
                throw new InvalidOperationException($"{path}:{lineNumber}: '{fields[1]}' is not namespace/serviceaccount");
            }
            var podName = fields.Length > 2 ? fields[2] : string.Empty;
            if (podName.Length > 0 && !SpiffeId.IsValidName(podName))
            {
                throw new InvalidOperationException($"{path}:{lineNumber}: '{podName}' is not a pod name");
            }
            if (!entries.TryAdd(Digest(fields[0]), new Entry(id, podName, fields.Length > 3 ? fields[3] : string.Empty)))
            {
                throw new InvalidOperationException($"{path}:{lineNumber}: this token is already listed on an earlier line");
            }
        }
        return new StaticTokenFile(entries);
    }

    public static StaticTokenFile Load(string path, string trustDomain)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot read the token file {path}: {ex.Message}", ex);
        }
        return Parse(text, trustDomain, path);
    }

    /// <summary>The entry for a token, or null.</summary>
    public Entry? Find(string token) => _entries.GetValueOrDefault(Digest(token));

    private static string Digest(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public sealed record Entry(SpiffeId Id, string PodName, string PodUid);
}
