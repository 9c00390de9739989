namespace ControlPlane.Bench.Scenarios;

/// <summary>Which of the host's sources a scenario feeds the mesh (and its churn) through.</summary>
public enum MeshSource
{
    /// <summary>A watched directory of YAML files (<c>--config-dir</c>).</summary>
    ConfigDirectory,

    /// <summary>Informers on the Kubernetes API server double, in the benchmark's process (<c>--kubeconfig</c>).</summary>
    KubeApi,
}
