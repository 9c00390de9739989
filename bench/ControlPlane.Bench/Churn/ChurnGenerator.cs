using System.Diagnostics;
using ControlPlane.Bench.Mesh;

namespace ControlPlane.Bench.Churn;

/// <summary>
/// Makes changes to a generated mesh through an <see cref="IChurnTarget"/>, at a set rate, and registers
/// each with a <see cref="PropagationTracker"/> (marker = the change's sequence number, carried by the
/// object) and timestamps it once the source can see it. Updates cycle through the churnable pods and
/// Services and namespaces' ALLOW policies (those in files of their own) in a shuffled order, so one object is rarely changed twice in
/// quick succession; creates add pods to random Deployments, deletes remove the oldest created one once
/// every client holds it (a pod deleted before anyone saw it would be a change nobody can observe).
/// Deterministic for a seed.
/// </summary>
public sealed class ChurnGenerator
{
    private readonly MeshGenerator _mesh;
    private readonly IChurnTarget _target;
    private readonly PropagationTracker _tracker;
    private readonly ChurnMix _mix;
    private readonly Random _random;
    private readonly PodPlan[] _pods;
    private readonly ServicePlan[] _services;
    private readonly PolicyPlan[] _policies;
    private readonly Queue<(PodPlan Pod, TrackedChange Created)> _created = new();
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly string _cluster;
    private readonly string _domainSuffix;
    private int _nextPod;
    private int _nextUpdate;
    private int _nextServiceUpdate;
    private int _nextPolicyUpdate;
    private long _marker;

    public ChurnGenerator(MeshGenerator mesh, IChurnTarget target, PropagationTracker tracker, ChurnMix? mix = null, int seed = 1,
        string cluster = "Kubernetes", string domainSuffix = "cluster.local")
    {
        _mesh = mesh;
        _target = target;
        _tracker = tracker;
        _mix = mix ?? ChurnMix.Default;
        _random = new Random(seed);
        _cluster = cluster;
        _domainSuffix = domainSuffix;
        _pods = [.. Enumerable.Range(0, mesh.Shape.Pods).Where(mesh.Shape.IsChurnable).Select(mesh.Pod)];
        _services = [.. Enumerable.Range(0, mesh.Shape.Services).Where(mesh.Shape.IsChurnable).Select(mesh.Service)];
        _policies = [.. Enumerable.Range(0, mesh.Shape.Namespaces).Where(mesh.Shape.IsChurnable).Select(mesh.Policy)];
        if (_pods.Length == 0)
        {
            throw new ArgumentException($"the mesh has no churnable pods (shape {mesh.Shape}, ChurnEvery {mesh.Shape.ChurnEvery})", nameof(mesh));
        }
        _random.Shuffle(_pods);
        _random.Shuffle(_services);
        _random.Shuffle(_policies);
        _nextPod = mesh.Shape.Pods;
    }

    public string TargetName => _target.Name;

    /// <summary>Changes made so far, per kind.</summary>
    public IReadOnlyDictionary<string, int> Counts => _counts;

    /// <summary>Makes one change of a kind drawn from the mix.</summary>
    public TrackedChange Step()
    {
        var draw = _random.Next(_mix.Total);
        if ((draw -= _mix.PodUpdates) < 0)
        {
            return UpdatePod();
        }
        if ((draw -= _mix.PodCreates) < 0)
        {
            return CreatePod();
        }
        if ((draw -= _mix.PodDeletes) < 0)
        {
            return _created.TryPeek(out var oldest) && oldest.Created.Delivered ? DeletePod() : UpdatePod();
        }
        if ((draw -= _mix.ServiceUpdates) < 0)
        {
            return _services.Length > 0 ? UpdateService() : UpdatePod();
        }
        return _policies.Length > 0 ? UpdatePolicy() : UpdatePod();
    }

    /// <summary>Relabels the next churnable pod (its canonical revision carries the marker).</summary>
    public TrackedChange UpdatePod()
    {
        var pod = _pods[_nextUpdate++ % _pods.Length];
        var marker = NextMarker();
        return Make(ChurnKinds.PodUpdate, pod.ResourceName(_cluster), marker, removal: false,
            () => _target.Apply(new ChurnObject("pod", pod.Namespace, pod.Name), ManifestYaml.Pod(pod, marker)));
    }

    /// <summary>Adds a replica to a random Deployment (a scale-up).</summary>
    public TrackedChange CreatePod()
    {
        var service = _mesh.Service(_random.Next(_mesh.Shape.Services));
        var pod = _mesh.Pod(_nextPod++, service);
        var marker = NextMarker();
        var change = Make(ChurnKinds.PodCreate, pod.ResourceName(_cluster), marker, removal: false,
            () => _target.Apply(new ChurnObject("pod", pod.Namespace, pod.Name), ManifestYaml.Pod(pod, marker)));
        _created.Enqueue((pod, change));
        return change;
    }

    /// <summary>Removes the oldest replica the churn added (a scale-down).</summary>
    public TrackedChange DeletePod()
    {
        var (pod, _) = _created.Dequeue();
        return Make(ChurnKinds.PodDelete, pod.ResourceName(_cluster), NextMarker(), removal: true,
            () => _target.Delete(new ChurnObject("pod", pod.Namespace, pod.Name)));
    }

    /// <summary>Edits the next churnable Service's grpc target port (the port carries the marker).</summary>
    public TrackedChange UpdateService()
    {
        var service = _services[_nextServiceUpdate++ % _services.Length];
        var marker = NextMarker();
        var name = $"{service.Namespace}/{service.Name}.{service.Namespace}.svc.{_domainSuffix}";
        return Make(ChurnKinds.ServiceUpdate, name, marker, removal: false,
            () => _target.Apply(new ChurnObject("service", service.Namespace, service.Name), ManifestYaml.Service(service, marker)));
    }

    /// <summary>Edits the next churnable namespace's ALLOW policy (an added port carries the marker).</summary>
    public TrackedChange UpdatePolicy()
    {
        var policy = _policies[_nextPolicyUpdate++ % _policies.Length];
        var marker = NextMarker();
        return Make(ChurnKinds.PolicyUpdate, policy.ResourceName, marker, removal: false,
            () => _target.Apply(new ChurnObject("policy", policy.Namespace, policy.Name), ManifestYaml.Policy(policy, marker)));
    }

    /// <summary>
    /// Makes changes at <paramref name="perSecond"/> for <paramref name="duration"/>. Changes that fall due
    /// while a write is slow are made at once, so the average rate holds under timer jitter.
    /// </summary>
    public async Task<ChurnRun> RunAsync(double perSecond, TimeSpan duration, CancellationToken cancellationToken)
    {
        var total = (int)Math.Round(perSecond * duration.TotalSeconds);
        var started = Stopwatch.GetTimestamp();
        var made = 0;
        var burst = 0;
        while (made < total)
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var due = Math.Min(total, (int)(elapsed * perSecond) + 1);
            burst = Math.Max(burst, due - made);
            while (made < due)
            {
                Step();
                made++;
            }
            var next = TimeSpan.FromSeconds(made / perSecond) - Stopwatch.GetElapsedTime(started);
            if (next > TimeSpan.Zero)
            {
                await Task.Delay(next, cancellationToken).ConfigureAwait(false);
            }
        }
        return new ChurnRun(made, Stopwatch.GetElapsedTime(started), burst);
    }

    private long NextMarker() => ++_marker;

    private TrackedChange Make(string kind, string resourceName, long marker, bool removal, Action write)
    {
        var change = _tracker.Expect(marker, kind, resourceName, removal);
        write();
        _tracker.MarkWritten(change, Stopwatch.GetTimestamp());
        _counts[kind] = _counts.GetValueOrDefault(kind) + 1;
        return change;
    }
}
