using ControlPlane.Ambient.Model;

namespace ControlPlane.Ca.Authorization;

/// <summary>
/// A local index of pods for node authorization, fed by the same object changes the sources deliver to
/// the grains: pod by (cluster, namespace, name), and how many non-failed pods of each (namespace,
/// service account) run on each node. Answers are from memory; no grain or API call per CSR.
/// </summary>
public sealed class PodIndex : IObjectSink
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Cluster, string Namespace, string Name), IndexedPod> _pods = [];
    private readonly Dictionary<(string Cluster, string Node, string Namespace, string ServiceAccount), int> _onNode = [];

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pods.Count;
            }
        }
    }

    public Task ApplyAsync(IReadOnlyList<ObjectChange> changes, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var change in changes)
            {
                if (change.Key.Kind != Kinds.Pod)
                {
                    continue;
                }
                var key = (change.Key.Cluster, change.Key.Namespace, change.Key.Name);
                if (_pods.Remove(key, out var before))
                {
                    Tally(key, before, -1);
                }
                if (change.Object is Pod pod)
                {
                    // Kubernetes admission fills in "default"; hand-written manifests may leave it out.
                    var serviceAccount = pod.ServiceAccount.Length == 0 ? "default" : pod.ServiceAccount;
                    var indexed = new IndexedPod(pod.Meta.Uid, pod.NodeName, serviceAccount, pod.Phase);
                    _pods[key] = indexed;
                    Tally(key, indexed, +1);
                }
            }
        }
        return Task.CompletedTask;
    }

    public IndexedPod? Find(string cluster, string ns, string name)
    {
        lock (_gate)
        {
            return _pods.GetValueOrDefault((cluster, ns, name));
        }
    }

    /// <summary>True when a non-failed pod of <paramref name="ns"/>/<paramref name="serviceAccount"/> is scheduled on <paramref name="node"/>.</summary>
    public bool RunsOnNode(string cluster, string node, string ns, string serviceAccount)
    {
        lock (_gate)
        {
            return _onNode.ContainsKey((cluster, node, ns, serviceAccount));
        }
    }

    private void Tally((string Cluster, string Namespace, string Name) key, IndexedPod pod, int delta)
    {
        if (pod.NodeName.Length == 0 || pod.Failed)
        {
            return;
        }
        var slot = (key.Cluster, pod.NodeName, key.Namespace, pod.ServiceAccount);
        var count = _onNode.GetValueOrDefault(slot) + delta;
        if (count > 0)
        {
            _onNode[slot] = count;
        }
        else
        {
            _onNode.Remove(slot);
        }
    }
}
