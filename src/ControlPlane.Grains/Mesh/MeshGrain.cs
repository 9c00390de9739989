using ControlPlane.Ambient.Builders;
using ControlPlane.Ambient.Model;
using ControlPlane.Grains.Namespaces;

namespace ControlPlane.Grains.Mesh;

/// <inheritdoc cref="IMeshGrain"/>
[KeepAlive]
public sealed class MeshGrain(MeshSettings settings) : Grain, IMeshGrain
{
    private readonly Dictionary<ObjectKey, KubeNode> _nodes = [];
    private readonly HashSet<string> _namespaces = new(StringComparer.Ordinal);
    private KubeNamespace? _systemNamespace;
    private MeshInputs? _inputs;

    private MeshInputs Inputs => _inputs ??= MeshInputs.From(settings, _systemNamespace, _nodes.Values);

    public async Task ApplyAsync(IReadOnlyList<ObjectChange> changes)
    {
        foreach (var change in changes)
        {
            switch (change.Key.Kind)
            {
                case Kinds.Node when change.Object is KubeNode node:
                    _nodes[change.Key] = node;
                    break;
                case Kinds.Node:
                    _nodes.Remove(change.Key);
                    break;
                case Kinds.Namespace when change.Key.Name == settings.RootNamespace:
                    _systemNamespace = change.Object as KubeNamespace;
                    break;
            }
        }
        var previous = Inputs;
        _inputs = null;
        if (Inputs.Equals(previous))
        {
            return;
        }
        var inputs = Inputs;
        await Task.WhenAll(_namespaces.Select(ns =>
            GrainFactory.GetGrain<INamespaceGrain>(GrainKeys.Namespace(ns)).SetMeshAsync(inputs)));
    }

    public Task<MeshInputs> RegisterNamespaceAsync(string name)
    {
        _namespaces.Add(name);
        return Task.FromResult(Inputs);
    }

    public Task<MeshInputs> GetInputsAsync() => Task.FromResult(Inputs);
}
