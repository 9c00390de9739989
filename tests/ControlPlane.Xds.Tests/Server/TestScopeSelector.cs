using ControlPlane.Xds.Proxy;

namespace ControlPlane.Xds.Tests.Server;

/// <summary>
/// Serves a proxy from the tables of the scope named by its <c>TEST_SCOPE</c> metadata (mesh-wide without
/// it), so tests sharing one server each get their own tables, and scoped tables are exercised.
/// </summary>
public sealed class TestScopeSelector : IScopeSelector
{
    public const string MetadataKey = "TEST_SCOPE";

    public string SelectScope(ProxyNode proxy, string typeUrl) => proxy.Metadata.GetValueOrDefault(MetadataKey, string.Empty);
}
