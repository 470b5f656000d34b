using System.CommandLine;

namespace Roost.Cli.Commands;

/// <summary>
/// <c>roost run &lt;app&gt;</c>: an unmodified ASP.NET Core app on every core, over HTTPS with h2 + HTTP/1.1, with
/// respawn, rolling reload (SIGHUP picks up a newly published build) and optional shared state (docs/run.md).
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var app = new Argument<string>("app")
        {
            Description = "The app: its entry .dll, its publish folder, or its project folder (built output under bin/ is used; roost run does not build).",
        };
        var port = ServeCluster.CreatePortOption();
        var host = ServeCluster.CreateHostOption();
        var shutdownTimeout = ServeCluster.CreateShutdownTimeoutOption("Seconds in-flight requests get to finish when a worker drains (stop, reload).");
        var bootTimeout = new Option<double>("--boot-timeout")
        {
            Description = "Seconds a worker may take from start to serving; longer is a boot failure (a reload then aborts).",
            DefaultValueFactory = _ => 30,
        };
        var logFormat = ServeCluster.CreateLogFormatOption("Log format of the primary: text or json.");
        var workers = ServeCluster.CreateWorkersOption();
        var state = StateOption.Create();
        var tls = new TlsOptions();
        var (name, runDirectory) = ServeCluster.CreateControlOptions();

        var command = new Command("run", "Run an unmodified ASP.NET Core app on every core: HTTPS with HTTP/2 and HTTP/1.1 on one port, workers respawned, SIGHUP = rolling reload onto the build on disk. Without --cert/--pfx a local development chain is used.")
        {
            app, port, host, workers, state, shutdownTimeout, bootTimeout, logFormat, name, runDirectory,
        };
        tls.AddTo(command);
        tls.AddServingTo(command);
        var recycle = new ServeRecycleOptions();
        recycle.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunCluster.RunAsync(
            new RunSettings(
                parse.GetValue(app)!,
                new ServeSettings(
                    parse.GetValue(port),
                    parse.GetValue(host)!,
                    tls.ReadServing(parse, tls.Read(parse)),
                    TimeSpan.FromSeconds(parse.GetValue(shutdownTimeout)),
                    parse.GetValue(logFormat)!,
                    Math.Max(1, ServeCluster.ResolveWorkers(parse.GetValue(workers)!)),
                    recycle.Read(parse),
                    parse.GetValue(name),
                    parse.GetValue(runDirectory),
                    HotSpare: false),
                parse.GetValue(state),
                TimeSpan.FromSeconds(parse.GetValue(bootTimeout))),
            cancellationToken));
        return command;
    }
}

/// <summary>The parsed settings of <c>roost run</c>: the app as given, the serving settings shared with <c>serve</c>, the --state value.</summary>
internal sealed record RunSettings(string App, ServeSettings Serve, string? State, TimeSpan BootTimeout);
