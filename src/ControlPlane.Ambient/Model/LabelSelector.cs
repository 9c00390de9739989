using ControlPlane.Ambient.Collections;

namespace ControlPlane.Ambient.Model;

/// <summary>A Kubernetes label selector (<c>matchLabels</c> and <c>matchExpressions</c>, all of which must hold).</summary>
[GenerateSerializer(GenerateFieldIds = GenerateFieldIds.PublicProperties)]
public sealed record LabelSelector
{
    public StringMap MatchLabels { get; init; }

    public ValueList<LabelSelectorRequirement> MatchExpressions { get; init; }

    /// <summary>An empty selector selects everything, as in Kubernetes.</summary>
    public bool Matches(StringMap labels)
    {
        if (!MatchLabels.IsSubsetOf(labels))
        {
            return false;
        }
        foreach (var requirement in MatchExpressions)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }
        return true;
    }
}
