using System.Diagnostics;
using System.Globalization;
using System.Text;
using Roost.Testing;

namespace Roost.Chaos;

/// <summary>How a chaos run is set up.</summary>
public sealed record ChaosRunOptions
{
    /// <summary>Gets how to start roost: the program and the arguments before roost's own (e.g. <c>dotnet roost.dll</c>, or a native roost).</summary>
    public required (string FileName, string[] Prefix) Roost { get; init; }

    /// <summary>Gets the worker count roost serve starts with.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Gets the HTTP/2 connections of the load.</summary>
    public int Http2Connections { get; init; } = 4;

    /// <summary>Gets the concurrent streams per HTTP/2 connection.</summary>
    public int Http2Streams { get; init; } = 4;

    /// <summary>Gets the HTTP/1.1 keep-alive connections of the load.</summary>
    public int Http1Connections { get; init; } = 4;

    /// <summary>Gets how long random chaos runs (ignored when <see cref="Actions"/> is set).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets a fixed sequence of actions instead of random ones (the CI test's).</summary>
    public IReadOnlyList<ChaosAction>? Actions { get; init; }

    /// <summary>Gets the load's pause after each answered request per loop (<see cref="ChaosLoad.Pause"/>).</summary>
    public TimeSpan LoadPause { get; init; }

    /// <summary>Gets the seed of the random actions.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Gets where progress lines go.</summary>
    public Action<string> Log { get; init; } = _ => { };
}

/// <summary>What a chaos run measured.</summary>
public sealed record ChaosResult(
    string Command,
    TimeSpan Elapsed,
    ChaosLoad Load,
    IReadOnlyList<ChaosEvent> Events,
    IReadOnlyList<PrimarySample> Samples,
    int FinalWorkers,
    int ExpectedWorkers,
    int PrimaryExitCode,
    IReadOnlyList<string> Orphans,
    string RoostOutput)
{
    /// <summary>Gets the requests in flight on killed or stopped workers' connections when they were frozen.</summary>
    public int InFlightAtKills => Events.Sum(e => e.InFlight);

    /// <summary>Gets how many kills (SIGKILL by the driver, or by the supervisor after a SIGSTOP) there were.</summary>
    public int Kills => Events.Count(e => e.Action is ChaosAction.Kill or ChaosAction.Hang);

    /// <summary>The result as a Markdown section.</summary>
    public string ToMarkdown(string title)
    {
        var load = Load;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### {title}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"`{Command}` — {Elapsed.TotalSeconds:F0} s under load, {Events.Count} actions; load: {load.Connections} connections opened in all.");
        text.AppendLine();
        text.AppendLine("| requests | h2 | HTTP/1.1 | total |");
        text.AppendLine("|---|---:|---:|---:|");
        Row("sent", load.Http2.SentCount, load.Http1.SentCount);
        Row("succeeded (200)", load.Http2.AnsweredCount, load.Http1.AnsweredCount);
        Row("failed", load.Http2.FailedCount, load.Http1.FailedCount);
        Row("refused (not processed: REFUSED_STREAM or above a GOAWAY's last-stream-id)", load.Http2.RefusedCount, load.Http1.RefusedCount);
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- **Failures accounted for**: {load.FailedOnKilledWorkers} on connections held by the {Kills} killed or stopped worker(s), which had {InFlightAtKills} request(s) in flight when frozen, plus {load.SentAfterDoom} sent on those connections before the client saw them close; **unaccounted: {load.FailedUnaccounted}**.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- **Reset h2 streams** (RST_STREAM from the server): {(load.ResetsByCode.Count == 0 ? "0" : string.Join(", ", load.ResetsByCode.Select(r => $"{r.Value} with code {r.Key}")))}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- **Connection attempts that failed** before any request: {load.ConnectFailures}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- **Final worker count**: {FinalWorkers} ready (the scale actions asked for {ExpectedWorkers}).");
        text.AppendLine(CultureInfo.InvariantCulture, $"- **Orphans** after the primary stopped (exit code {PrimaryExitCode}): {(Orphans.Count == 0 ? "none" : string.Join("; ", Orphans))} (every process seen under the primary during the run, checked by pid and start time).");
        var first = Samples.Where(s => s.OpenFiles >= 0).Take(5).ToList();
        var last = Samples.Where(s => s.OpenFiles >= 0).TakeLast(5).ToList();
        if (first.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- **Primary** (sampled every second, {Samples.Count} samples): open files {first.Min(s => s.OpenFiles)}–{first.Max(s => s.OpenFiles)} in the first 5 samples, {last.Min(s => s.OpenFiles)}–{last.Max(s => s.OpenFiles)} in the last 5, max {Samples.Max(s => s.OpenFiles)}; RSS {first[0].RssKilobytes / 1024.0:F1} MB first, {last[^1].RssKilobytes / 1024.0:F1} MB last, max {Samples.Max(s => s.RssKilobytes) / 1024.0:F1} MB.");
        }

        text.AppendLine();
        text.AppendLine("| at (s) | action | what happened | failed requests on its connections | took (s) |");
        text.AppendLine("|---:|---|---|---:|---:|");
        foreach (var e in Events)
        {
            var failed = e.Cause is null ? string.Empty : load.FailuresByCause.GetValueOrDefault(e.Cause).ToString(CultureInfo.InvariantCulture);
            text.AppendLine(CultureInfo.InvariantCulture, $"| {e.At.TotalSeconds:F1} | {e.Action} | {(e.Ok ? string.Empty : "**FAILED**: ")}{e.What} | {failed} | {e.Took.TotalSeconds:F1} |");
        }

        text.AppendLine();
        text.AppendLine("Primary over time (every 15th sample): seconds, open files, RSS MB, open load connections, processes under the primary:");
        text.AppendLine();
        text.AppendLine("| s | fds | RSS MB | connections | children |");
        text.AppendLine("|---:|---:|---:|---:|---:|");
        foreach (var sample in Samples.Where((_, i) => i % 15 == 0).Append(Samples[^1]).Distinct())
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {sample.At.TotalSeconds:F0} | {sample.OpenFiles} | {sample.RssKilobytes / 1024.0:F1} | {sample.LiveConnections} | {sample.Workers} |");
        }

        if (load.UnaccountedErrors.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Unaccounted failures (first 20):");
            text.AppendLine();
            foreach (var error in load.UnaccountedErrors)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- `{error.Replace('`', '\'')}`");
            }
        }

        if (load.Errors.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("First errors seen by the load (at most 12):");
            text.AppendLine();
            foreach (var error in load.Errors.Take(12))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- `{error.Replace('`', '\'')}`");
            }
        }

        return text.ToString();

        void Row(string name, long h2, long h1) =>
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {h2} | {h1} | {h2 + h1} |");
    }

    /// <summary>
    /// Starts <c>roost serve --workers N</c> on 127.0.0.1 with a fresh test chain, runs the load and the chaos, settles,
    /// stops the load, reads the final worker count, stops roost with SIGTERM and looks for orphans.
    /// </summary>
    public static async Task<ChaosResult> RunAsync(ChaosRunOptions options, CancellationToken cancellationToken = default)
    {
        using var chain = TestCertificates.CreateChain();
        using var temp = new TempDirectory("roost-chaos");
        var runDirectory = temp.File("run");
        var port = FreePort.Get();
        string[] arguments =
        [
            "serve", "--workers", options.Workers.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1",
            "--port", port.ToString(CultureInfo.InvariantCulture), "--cert", chain.LeafPath, "--key", chain.KeyPath,
            "--ca", chain.IntermediatePath, "--run-dir", runDirectory, "--shutdown-timeout", "10",
        ];
        var command = "roost " + string.Join(' ', arguments.Select(a => a.StartsWith('/') ? Path.GetFileName(a) : a));
        await using var roost = TestProcess.Start(options.Roost.FileName, [.. options.Roost.Prefix, .. arguments], name: "roost");
        await roost.WaitForLineAsync("Roost is serving", TimeSpan.FromSeconds(120));

        var load = new ChaosLoad("localhost", port, chain.Root) { Pause = options.LoadPause };
        var driver = new ChaosDriver(new ChaosTarget(roost.Pid, port, runDirectory, options.Roost, chain, options.Workers), load, options.Log);
        if (!await driver.WaitSettledAsync())
        {
            throw new InvalidOperationException($"roost (pid {roost.Pid}) did not get {options.Workers} ready worker(s) within 120 s. Output:\n{roost.Output}");
        }

        using var stopSampling = new CancellationTokenSource();
        var sampling = driver.SampleAsync(stopSampling.Token);
        using var stopLoad = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var running = load.RunAsync(options.Http2Connections, options.Http2Streams, options.Http1Connections, stopLoad.Token);
        try
        {
            await Task.Delay(2000, cancellationToken);
            if (options.Actions is { } actions)
            {
                await driver.RunAsync(actions, TimeSpan.FromMilliseconds(500), cancellationToken);
            }
            else
            {
                using var chaosTime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                chaosTime.CancelAfter(options.Duration);
                await driver.RunRandomAsync(options.Seed, chaosTime.Token);
            }

            // The load goes on for 2 s on the settled cluster: anything left broken shows as failures.
            await Task.Delay(2000, cancellationToken);
        }
        finally
        {
            await stopLoad.CancelAsync();
            await running.WaitAsync(TimeSpan.FromSeconds(90), CancellationToken.None);
        }

        var elapsed = clock.Elapsed;
        var finalWorkers = (await driver.ReadyWorkersAsync()).Count;
        await stopSampling.CancelAsync();
        await sampling;
        driver.SampleNow();
        roost.Signal(15);
        var exitCode = await roost.WaitForExitAsync(TimeSpan.FromSeconds(60));
        // Workers exit before their primary reports; give the kernel a moment to finish reaping.
        await Task.Delay(1000, CancellationToken.None);
        var orphans = driver.Orphans();
        return new ChaosResult(command, elapsed, load, driver.Events, driver.Samples, finalWorkers, driver.ExpectedWorkers, exitCode, orphans, roost.Output);
    }
}
