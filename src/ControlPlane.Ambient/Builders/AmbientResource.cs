using Google.Protobuf;

namespace ControlPlane.Ambient.Builders;

/// <summary>A built resource and its xDS name: an <c>istio.workload.Address</c> or <c>istio.security.Authorization</c>.</summary>
public sealed record AmbientResource(string Name, IMessage Message);
