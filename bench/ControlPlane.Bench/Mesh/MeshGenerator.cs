using System.Globalization;

namespace ControlPlane.Bench.Mesh;

/// <summary>
/// Deterministic objects of a <see cref="MeshShape"/>: the same index always gives the same name, IP,
/// node and labels, so runs are reproducible and the churn generator can address any object.
/// </summary>
public sealed class MeshGenerator(MeshShape shape)
{
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    public MeshShape Shape { get; } = shape;

    public static string NamespaceName(int index) => $"ns-{index:d4}";

    public static string NodeName(int index) => $"node-{index:d4}";

    public ServicePlan Service(int index)
    {
        var ns = index / Shape.ServicesPerNamespace;
        var name = $"svc-{index % Shape.ServicesPerNamespace:d2}";
        return new ServicePlan(index, NamespaceName(ns), name, ServiceIp(index), Token(unchecked((uint)index * 2654435761u), 9));
    }

    /// <summary>Pod <paramref name="index"/>; indices at or above <see cref="MeshShape.Pods"/> are pods the churn adds.</summary>
    public PodPlan Pod(int index) => Pod(index, Service(index / Shape.PodsPerService % Shape.Services));

    /// <summary>A pod of the given service (the churn's scale-ups use indices past the initial pods).</summary>
    public PodPlan Pod(int index, ServicePlan service) =>
        new(index, service, $"{service.Name}-{service.TemplateHash}-{Suffix(index)}", PodIp(index), NodeName(index / Shape.PodsPerNode % Shape.Nodes));

    /// <summary>
    /// Namespace <paramref name="ns"/>'s ALLOW policy: the first Service's pods accept the second's service
    /// account (each namespace also has a namespace-wide DENY policy, see <see cref="ManifestYaml.DenyPolicy"/>).
    /// </summary>
    public PolicyPlan Policy(int ns)
    {
        var target = Service(ns * Shape.ServicesPerNamespace);
        var caller = Service(ns * Shape.ServicesPerNamespace + Math.Min(1, Shape.ServicesPerNamespace - 1));
        return new PolicyPlan(ns, target.Namespace, $"allow-{target.Name}", target, caller);
    }

    public IEnumerable<ServicePlan> ServicesOf(int ns)
    {
        for (var i = 0; i < Shape.ServicesPerNamespace; i++)
        {
            yield return Service(ns * Shape.ServicesPerNamespace + i);
        }
    }

    public IEnumerable<PodPlan> PodsOf(ServicePlan service)
    {
        for (var i = 0; i < Shape.PodsPerService; i++)
        {
            yield return Pod(service.Index * Shape.PodsPerService + i, service);
        }
    }

    /// <summary>Node <paramref name="index"/> with its region and zone (3 zones per region, 4 regions).</summary>
    public static (string Name, string Region, string Zone) Node(int index) =>
        (NodeName(index), $"region-{index % 4}", $"region-{index % 4}-zone-{index / 4 % 3}");

    /// <summary>Pod IPs from 10.0.0.1 upwards (room for 16 million).</summary>
    private static string PodIp(int index)
    {
        var n = index + 1;
        return string.Create(CultureInfo.InvariantCulture, $"10.{(n >> 16) & 0xFF}.{(n >> 8) & 0xFF}.{n & 0xFF}");
    }

    /// <summary>Service cluster IPs from 172.16.0.1 upwards (a /12, as a large cluster's service CIDR).</summary>
    private static string ServiceIp(int index)
    {
        var n = index + 1;
        return string.Create(CultureInfo.InvariantCulture, $"172.{16 + ((n >> 16) & 0x0F)}.{(n >> 8) & 0xFF}.{n & 0xFF}");
    }

    /// <summary>
    /// A 5-character pod name suffix, unique per index below 27^5 (multiplying by a number coprime to 27
    /// is a bijection modulo 27^5), so replicas created by the churn never collide.
    /// </summary>
    private static string Suffix(int index)
    {
        const long Space = 27L * 27 * 27 * 27 * 27;
        var x = (long)index * 7_368_787 % Space;
        Span<char> chars = stackalloc char[5];
        for (var i = 4; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(x % Alphabet.Length)];
            x /= Alphabet.Length;
        }
        return new string(chars);
    }

    /// <summary>A pod-template-hash-like token (Kubernetes' safe alphabet).</summary>
    private static string Token(uint seed, int length)
    {
        Span<char> chars = stackalloc char[length];
        var x = seed == 0 ? 1u : seed;
        for (var i = 0; i < length; i++)
        {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            chars[i] = Alphabet[(int)(x % (uint)Alphabet.Length)];
        }
        return new string(chars);
    }
}
