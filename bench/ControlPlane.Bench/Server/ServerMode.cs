using System.Diagnostics;
using System.Runtime;
using ControlPlane.Ambient.Model;
using ControlPlane.Bench.Floor;
using ControlPlane.Grains.Routing;
using ControlPlane.Testing;
using ControlPlane.Xds.Hub;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;

namespace ControlPlane.Bench.Server;

/// <summary>
/// The benchmark's server process (<c>ControlPlane.Bench --serve [host flags]</c>): the real control plane
/// host with its real sources, alone in its own process so its CPU time, resident memory and managed heap
/// are its own and its garbage collections do not pause the simulated clients (nor theirs it). The only
/// addition is a <see cref="ServerProbe"/> around the host's sink and hub. Answers the
/// <see cref="ControlChannel"/> protocol on stdin/stdout; exits when stdin closes.
/// </summary>
public static class ServerMode
{
    public const string Flag = "--serve";

    public static async Task<int> RunAsync(IReadOnlyList<string> hostArgs, CancellationToken cancellationToken)
    {
        var output = Console.Out;
        var writeGate = new Lock();
        void Reply(string line)
        {
            lock (writeGate)
            {
                output.WriteLine(line);
                output.Flush();
            }
        }

        await using var server = await TestControlPlane.StartAsync([.. hostArgs], builder =>
        {
            builder.Services.AddSingleton<GrainObjectSink>();
            builder.Services.AddSingleton(sp => new ServerProbe(sp.GetRequiredService<MeshSettings>(), sp.GetRequiredService<XdsHub>()));
            builder.Services.AddSingleton<IObjectSink>(sp =>
                new ProbingObjectSink(sp.GetRequiredService<GrainObjectSink>(), sp.GetRequiredService<ServerProbe>()));
        }).ConfigureAwait(false);
        var probe = server.App.Services.GetRequiredService<ServerProbe>();
        var hub = server.Hub;
        Reply(ControlChannel.FormatReply(0, new ServerReady(Environment.ProcessId, server.XdsPort, server.HttpPort, Stopwatch.GetTimestamp())));

        var running = new List<Task>();
        var floors = new List<FloorServer>();
        while (await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            ServerCommand command;
            try
            {
                command = ControlChannel.ParseCommand(line);
            }
            catch (FormatException ex)
            {
                Reply(ControlChannel.FormatError(-1, ex.Message));
                continue;
            }
            if (command.Verb == ServerVerbs.Quit)
            {
                break;
            }
            if (command.Verb == ServerVerbs.StartFloor)
            {
                var floor = await FloorServer.StartAsync().ConfigureAwait(false);
                floor.InitialPayload = UnsafeByteOperations.UnsafeWrap(new byte[command.Count]);
                floors.Add(floor);
                Reply(ControlChannel.FormatReply(command.Id, floor.Address.Port));
                continue;
            }
            running.Add(HandleAsync(command, hub, probe, Reply, cancellationToken));
        }
        await Task.WhenAll(running).ConfigureAwait(false);
        foreach (var floor in floors)
        {
            await floor.DisposeAsync().ConfigureAwait(false);
        }
        return 0;
    }

    private static async Task HandleAsync(ServerCommand command, XdsHub hub, ServerProbe probe, Action<string> reply, CancellationToken cancellationToken)
    {
        try
        {
            switch (command.Verb)
            {
                case ServerVerbs.Stats:
                    reply(ControlChannel.FormatReply(command.Id, Stats(command.Collect, hub, probe)));
                    break;
                case ServerVerbs.WaitResources:
                    var typeUrl = command.TypeUrl ?? throw new FormatException("wait-resources needs a typeUrl");
                    using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                    {
                        timeout.CancelAfter(command.TimeoutMs);
                        long reachedAt = 0;
                        try
                        {
                            reachedAt = await probe.WaitForCountAsync(typeUrl, command.Count, timeout.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                        {
                        }
                        reply(ControlChannel.FormatReply(command.Id, new WaitResult(reachedAt != 0, reachedAt, hub.GetTable(typeUrl).Count)));
                    }
                    break;
                case ServerVerbs.ResetSink:
                    probe.ResetSink();
                    reply(ControlChannel.FormatReply(command.Id, true));
                    break;
                case ServerVerbs.ArmStages:
                    probe.Arm();
                    reply(ControlChannel.FormatReply(command.Id, true));
                    break;
                case ServerVerbs.Stages:
                    reply(ControlChannel.FormatReply(command.Id, probe.StageEvents));
                    break;
                default:
                    reply(ControlChannel.FormatError(command.Id, $"unknown verb {command.Verb}"));
                    break;
            }
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException)
        {
            reply(ControlChannel.FormatError(command.Id, ex.Message));
        }
    }

    private static ServerStats Stats(bool collect, XdsHub hub, ServerProbe probe)
    {
        if (collect)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
        using var process = Process.GetCurrentProcess();
        var tables = hub.Tables.Select(t => new TableCount(t.Key.TypeUrl, t.Key.Scope, t.Count)).OrderBy(t => t.TypeUrl, StringComparer.Ordinal).ToList();
        return new ServerStats(
            Environment.ProcessId,
            Stopwatch.GetTimestamp(),
            process.TotalProcessorTime.TotalMilliseconds,
            process.WorkingSet64,
            GC.GetTotalMemory(forceFullCollection: false),
            collect,
            GCSettings.IsServerGC,
            GC.CollectionCount(GC.MaxGeneration),
            GC.CollectionCount(0),
            GC.GetTotalPauseDuration().TotalMilliseconds,
            GC.GetTotalAllocatedBytes(precise: false),
            hub.Version,
            tables,
            probe.Sink);
    }
}
