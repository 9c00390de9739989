using ControlPlane.Host;

try
{
    var app = ControlPlaneHost.Build(args);
    await app.RunAsync();
    return 0;
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"controlplane: {ex.Message}");
    return 2;
}
