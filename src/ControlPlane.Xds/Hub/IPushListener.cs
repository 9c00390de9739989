namespace ControlPlane.Xds.Hub;

/// <summary>Receives every committed batch. Called on the hub's commit loop: must be quick and not block.</summary>
public interface IPushListener
{
    void OnPush(PushBatch batch);
}
