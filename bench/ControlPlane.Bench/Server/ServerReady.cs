namespace ControlPlane.Bench.Server;

/// <summary>The server process's first answer (id 0): where it listens, and its clock at that moment.</summary>
public sealed record ServerReady(int Pid, int XdsPort, int HttpPort, long Timestamp);
