using ControlPlane.Ambient.Collections;

namespace ControlPlane.Ambient.Model;

/// <summary>One <c>matchExpressions</c> entry of a label selector: In, NotIn, Exists or DoesNotExist.</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record LabelSelectorRequirement(string Key, string Operator, ValueList<string> Values)
{
    public bool Matches(StringMap labels)
    {
        var present = labels.TryGetValue(Key, out var value);
        return Operator switch
        {
            "In" => present && Values.Contains(value!),
            "NotIn" => !present || !Values.Contains(value!),
            "Exists" => present,
            "DoesNotExist" => !present,
            _ => false,
        };
    }
}
