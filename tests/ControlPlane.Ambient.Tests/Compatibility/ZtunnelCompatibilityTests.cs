using ControlPlane.Ambient.Builders;
using ControlPlane.Ambient.Compatibility;
using Google.Protobuf;
using Istio.Workload;
using Authorization = Istio.Security.Authorization;

namespace ControlPlane.Ambient.Tests.Compatibility;

public sealed class ZtunnelCompatibilityTests
{
    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("not-a-version", "")]
    [InlineData("1.26.4", "<1.28")]
    [InlineData("1.27.0-beta.1", "<1.28")]
    [InlineData("1.28.2", "<1.29")]
    [InlineData("1.29.0", "<1.31")]
    [InlineData("1.30-dev", "<1.31")]
    [InlineData("1.31.0", "")]
    [InlineData("1.32-alpha.0123abc", "")]
    [InlineData("2.0.0", "")]
    public void LevelFor_IstioVersion_SelectsTheLevelItPredates(string? version, string level) =>
        Assert.Equal(level, ZtunnelCompatibility.LevelFor(version));

    [Fact]
    public void Adapt_PassthroughServiceBefore128_BecomesUnspecifiedMode()
    {
        var service = new Service
        {
            Name = "corp",
            Hostname = "corp.internal",
            LoadBalancing = new LoadBalancing { Mode = LoadBalancing.Types.Mode.Passthrough, HealthPolicy = LoadBalancing.Types.HealthPolicy.AllowAll },
        };

        var before128 = Adapted("<1.28", service);
        Assert.Equal(LoadBalancing.Types.Mode.UnspecifiedMode, before128!.LoadBalancing.Mode);
        Assert.Equal(LoadBalancing.Types.HealthPolicy.AllowAll, before128.LoadBalancing.HealthPolicy);
        Assert.True(ZtunnelCompatibility.Adapt(AmbientResourceKind.Address, "<1.29", Encode(service)).Replacement is null);
    }

    [Fact]
    public void Adapt_131FeaturesBefore131_AreStripped()
    {
        var primary = new GatewayAddress { Hostname = new NamespacedHostname { Namespace = "ns", Hostname = "wp" }, HboneMtlsPort = 15008 };
        var service = new Service
        {
            Name = "svc",
            Hostname = "svc.ns.svc.cluster.local",
            Addresses =
            {
                new NetworkAddress { Address = ByteString.CopyFrom(10, 0, 0, 1) },
                new NetworkAddress { Address = ByteString.CopyFrom(10, 1, 0, 0), Length = 16 },
            },
            Ports = { new Port { ServicePort = 80, TargetPort = 8080, AppProtocol = AppProtocol.Http11 } },
            Waypoint = primary,
            WeightedWaypoints = { new WeightedWaypoint { Destination = primary, Weight = 90 }, new WeightedWaypoint { Destination = primary, Weight = 10 } },
        };

        var adapted = Adapted("<1.31", service)!;

        Assert.Equal(AppProtocol.Unknown, adapted.Ports.Single().AppProtocol);
        Assert.Empty(adapted.WeightedWaypoints);
        Assert.Equal(primary, adapted.Waypoint);
        Assert.Equal(ByteString.CopyFrom(10, 0, 0, 1), adapted.Addresses.Single().Address);
        Assert.True(ZtunnelCompatibility.Adapt(AmbientResourceKind.Address, string.Empty, Encode(service)).Replacement is null);
    }

    [Fact]
    public void Adapt_NamespaceVisibleServiceBefore131_IsNotSent()
    {
        var service = new Service { Name = "private", Hostname = "private.example", Visibility = Service.Types.Visibility.Namespace };

        Assert.True(ZtunnelCompatibility.Adapt(AmbientResourceKind.Address, "<1.31", Encode(service)).Omitted);
        Assert.False(ZtunnelCompatibility.Adapt(AmbientResourceKind.Address, string.Empty, Encode(service)).Omitted);
    }

    [Fact]
    public void Adapt_DryRunAuthorizationBefore129_IsNotSent()
    {
        var dryRun = new Authorization { Name = "audit", Namespace = "ns", DryRun = true }.ToByteArray();
        var enforced = new Authorization { Name = "deny", Namespace = "ns" }.ToByteArray();

        Assert.True(ZtunnelCompatibility.Adapt(AmbientResourceKind.Authorization, "<1.29", dryRun).Omitted);
        Assert.False(ZtunnelCompatibility.Adapt(AmbientResourceKind.Authorization, "<1.31", dryRun).Omitted);
        Assert.Equal(Downgrade.Unchanged, ZtunnelCompatibility.Adapt(AmbientResourceKind.Authorization, "<1.28", enforced));
    }

    [Fact]
    public void Adapt_WorkloadOrModernService_IsUnchanged()
    {
        var workload = new Address { Workload = new Workload { Uid = "Kubernetes//Pod/ns/p", Name = "p", TunnelProtocol = TunnelProtocol.Hbone } };
        var service = new Service { Name = "s", Hostname = "s.ns.svc.cluster.local", Ports = { new Port { ServicePort = 80, TargetPort = 80 } } };

        Assert.Equal(Downgrade.Unchanged, ZtunnelCompatibility.Adapt(AmbientResourceKind.Address, "<1.28", workload.ToByteArray()));
        Assert.Equal(Downgrade.Unchanged, ZtunnelCompatibility.Adapt(AmbientResourceKind.Address, "<1.28", Encode(service)));
    }

    private static byte[] Encode(Service service) => new Address { Service = service }.ToByteArray();

    private static Service? Adapted(string level, Service service) =>
        (ZtunnelCompatibility.Adapt(AmbientResourceKind.Address, level, Encode(service)).Replacement as Address)?.Service;
}
