using System.Net;

namespace ControlPlane.Testing.Proxyless;

/// <summary>
/// The endpoints of one locality in a ClusterLoadAssignment, with the locality's weight (gRPC's
/// client ignores localities whose weight is unset).
/// </summary>
public sealed record LocalityEndpoints(string Region, string Zone, uint Weight, IReadOnlyList<IPEndPoint> Endpoints);
