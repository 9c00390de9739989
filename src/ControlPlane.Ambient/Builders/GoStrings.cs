using System.Globalization;

namespace ControlPlane.Ambient.Builders;

/// <summary>The string parsing rules istiod applies to labels and annotations (Go's <c>strconv</c>).</summary>
public static class GoStrings
{
    /// <summary>Go's <c>strconv.ParseBool</c>: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False.</summary>
    public static bool? ParseBool(string? value) => value switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => null,
    };

    /// <summary>A decimal port number 0–65535 (no sign, no spaces), as <c>strconv.ParseUint</c> then a range check.</summary>
    public static bool TryParsePort(string? value, out uint port) =>
        uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535;
}
