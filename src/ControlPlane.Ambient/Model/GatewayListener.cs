namespace ControlPlane.Ambient.Model;

/// <summary>A listener of a Gateway; <see cref="AllowedRoutes"/> null means the default (Same namespace).</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record GatewayListener(string Name, int Port, string Protocol, RouteNamespaces? AllowedRoutes);
