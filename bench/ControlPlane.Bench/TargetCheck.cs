namespace ControlPlane.Bench;

/// <summary>A measured figure held against its target.</summary>
public sealed record TargetCheck(string Name, double Measured, double Limit, bool LowerIsBetter)
{
    public bool Met => LowerIsBetter ? Measured <= Limit : Measured >= Limit;

    public override string ToString() =>
        $"{Name} {Measured:0.###} ({(LowerIsBetter ? "≤" : "≥")} {Limit:0.###}: {(Met ? "met" : "MISSED")})";
}
