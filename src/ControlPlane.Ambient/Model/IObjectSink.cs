namespace ControlPlane.Ambient.Model;

/// <summary>Where sources deliver object changes (the grains, in the host).</summary>
public interface IObjectSink
{
    Task ApplyAsync(IReadOnlyList<ObjectChange> changes, CancellationToken cancellationToken);
}
