using ControlPlane.Ambient.Model;
using ControlPlane.Bench.Mesh;
using ControlPlane.Kubernetes.Manifests;

namespace ControlPlane.Bench.Tests.Mesh;

public sealed class MeshGeneratorTests
{
    [Fact]
    public void ForPods_IndexTargetSize_Is100kPods20kServices1kNamespaces()
    {
        var shape = MeshShape.ForPods(100_000);

        Assert.Equal((100_000, 20_000, 1_000, 1_000), (shape.Pods, shape.Services, shape.Namespaces, shape.Nodes));
        Assert.Equal(120_000, shape.AddressResources);
    }

    [Fact]
    public void Pod_ManyIndicesOfOneService_NamesAndIpsAreUnique()
    {
        var mesh = new MeshGenerator(MeshShape.ForPods(1_000));
        var service = mesh.Service(0);

        var pods = Enumerable.Range(0, 200_000).Select(i => mesh.Pod(i, service)).ToList();

        Assert.Equal(pods.Count, pods.Select(p => p.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(pods.Count, pods.Select(p => p.Ip).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Pod_SameIndex_IsDeterministic() =>
        Assert.Equal(new MeshGenerator(MeshShape.ForPods(500)).Pod(123), new MeshGenerator(MeshShape.ForPods(500)).Pod(123));

    [Fact]
    public void NamespaceFile_ReadByTheManifestReader_HasEveryObjectAsWritten()
    {
        var mesh = new MeshGenerator(MeshShape.ForPods(200, churnEvery: 10));
        using var scratch = new ScratchDirectory("mesh-test");

        var (files, _) = MeshFiles.WriteNamespaces(mesh, scratch.Path);
        var documents = Directory.EnumerateFiles(scratch.Path, "*.yaml", SearchOption.AllDirectories)
            .SelectMany(f => ManifestReader.Read(f, File.ReadAllText(f), "Kubernetes")).ToList();

        // Two namespace files; churnable pods, services and namespace 0's ALLOW policy in files of their own.
        Assert.Equal(2 + 200 / 10 + 40 / 10 + 1, files);
        Assert.All(documents, d => Assert.Null(d.Error));
        var objects = documents.Select(d => d.Object).OfType<IMeshObject>().ToList();
        Assert.Equal(2, objects.OfType<KubeNamespace>().Count());
        Assert.Equal(40, objects.OfType<KubeService>().Count());
        Assert.Equal(200, objects.OfType<Pod>().Count());
        Assert.Equal(4, objects.OfType<AuthorizationPolicy>().Count());
    }

    [Fact]
    public void Policy_ReadByTheManifestReader_SelectsItsTargetAndAdmitsItsCaller()
    {
        var mesh = new MeshGenerator(MeshShape.ForPods(100));
        var plan = mesh.Policy(0);

        var policy = Assert.IsType<AuthorizationPolicy>(ManifestReader.Read("policy.yaml", ManifestYaml.Policy(plan), "Kubernetes").Single().Object);

        Assert.Equal(plan.Target.Name, policy.Selector.Get("app"));
        Assert.Equal("ALLOW", policy.Action);
        var rule = Assert.Single(policy.Rules);
        Assert.Equal([$"cluster.local/ns/{plan.Namespace}/sa/{plan.Caller.Name}"], Assert.Single(rule.From).Principals);
        Assert.Equal(["8080"], Assert.Single(rule.To).Ports);
    }

    [Fact]
    public void Pod_ReadByTheManifestReader_LooksLikeADeploymentReplica()
    {
        var mesh = new MeshGenerator(MeshShape.ForPods(100));
        var plan = mesh.Pod(42);

        var pod = Assert.IsType<Pod>(ManifestReader.Read("pod.yaml", ManifestYaml.Pod(plan), "Kubernetes").Single().Object);

        Assert.Equal(plan.Name, pod.Meta.Name);
        Assert.Equal(plan.Service.Name, pod.Meta.Labels.Get("app"));
        Assert.Equal(plan.Service.TemplateHash, pod.Meta.Labels.Get("pod-template-hash"));
        Assert.Equal(new OwnerReference("ReplicaSet", $"{plan.Service.Name}-{plan.Service.TemplateHash}"), pod.Controller);
        Assert.Equal([plan.Ip], pod.Ips);
        Assert.True(pod.Ready);
        Assert.Equal("Running", pod.Phase);
        Assert.Equal(plan.Node, pod.NodeName);
        Assert.Contains(new ContainerPort("http", 8080, "TCP"), pod.ContainerPorts);
    }

    [Fact]
    public void Service_ReadByTheManifestReader_SelectsItsPodsThroughANamedTargetPort()
    {
        var mesh = new MeshGenerator(MeshShape.ForPods(100));
        var plan = mesh.Service(5);

        var service = Assert.IsType<KubeService>(ManifestReader.Read("svc.yaml", ManifestYaml.Service(plan), "Kubernetes").Single().Object);
        var pod = Assert.IsType<Pod>(ManifestReader.Read("pod.yaml", ManifestYaml.Pod(mesh.PodsOf(plan).First()), "Kubernetes").Single().Object);

        Assert.Equal([plan.ClusterIp], service.ClusterIps);
        Assert.True(service.Selector!.Value.IsSubsetOf(pod.Meta.Labels));
        Assert.Contains(service.Ports, p => p.Port == 80 && p.TargetPortName == "http");
    }

    [Fact]
    public void Node_ReadByTheManifestReader_HasALocality()
    {
        var node = Assert.IsType<KubeNode>(ManifestReader.Read("nodes.yaml", ManifestYaml.Node(7), "Kubernetes").Single().Object);

        Assert.NotNull(node.Locality);
        Assert.Equal(MeshGenerator.NodeName(7), node.Meta.Name);
    }
}
