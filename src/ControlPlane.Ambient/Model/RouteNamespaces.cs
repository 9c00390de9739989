namespace ControlPlane.Ambient.Model;

/// <summary>A Gateway listener's <c>allowedRoutes.namespaces</c>: Same (default), All or Selector.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record RouteNamespaces(string From, LabelSelector? Selector)
{
    public static RouteNamespaces Same { get; } = new("Same", null);
}
