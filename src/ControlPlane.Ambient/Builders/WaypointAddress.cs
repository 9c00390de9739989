namespace ControlPlane.Ambient.Builders;

/// <summary>
/// Where a waypoint is reached, from its Gateway's status: a hostname (preferred; in the Gateway's
/// namespace) or an IP (on the cluster's network). Both use the HBONE port 15008.
/// </summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record WaypointAddress(string? Hostname, string? Ip);
