using Roost.Cli.Commands;
using Roost.Control;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Roost.Cli.Top;

/// <summary>
/// The live view of <c>roost top</c>: samples every interval, redraws, and handles the keys. An action (reload, scale
/// ±1, recycle the selected worker) is asked for with its key, confirmed with <c>y</c> (anything else cancels), then
/// runs on the control socket while the view goes on; its progress and outcome show under the events.
/// </summary>
internal sealed class TopSession(TopSampler sampler, TimeSpan interval)
{
    private TopFrame? _frame;
    private int? _selected;
    private string? _message;
    private (string Question, Func<ControlClient, Action<ControlProgress>, Task<ControlResult>> Call)? _pending;
    private Task? _action;
    private volatile bool _quit;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (Console.IsInputRedirected || Console.IsOutputRedirected)
        {
            return CommandErrors.Fail("roost top needs a terminal for its live view (keys and redraws); in scripts use 'roost top --once' or 'roost status --json'.", ExitCodes.InvalidUsage);
        }

        try
        {
            _frame = await sampler.SampleAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ControlConnectException ex)
        {
            return TopCommand.Unreachable(ex);
        }

        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // Ctrl+C leaves the live view cleanly (cursor back, last screen kept) instead of killing the process mid-draw.
            e.Cancel = true;
            _quit = true;
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            await AnsiConsole.Live(Render()).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).StartAsync(async context =>
            {
                var next = DateTime.UtcNow + interval;
                while (!_quit && !cancellationToken.IsCancellationRequested)
                {
                    while (Console.KeyAvailable)
                    {
                        OnKey(Console.ReadKey(intercept: true));
                    }

                    if (DateTime.UtcNow >= next)
                    {
                        next = DateTime.UtcNow + interval;
                        await SampleAsync(cancellationToken).ConfigureAwait(false);
                    }

                    context.UpdateTarget(Render());
                    await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        return ExitCodes.Ok;
    }

    private async Task SampleAsync(CancellationToken cancellationToken)
    {
        try
        {
            _frame = await sampler.SampleAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ControlConnectException or ControlRefusedException or IOException or InvalidDataException)
        {
            // The primary is gone or restarting: keep the last screen and say so; the next sample tries again.
            _message = $"[red]{Markup.Escape(ex.Message)}[/]";
        }
    }

    private IRenderable Render()
    {
        var serving = _frame!.Workers.Where(w => w.State != "spare").ToList();
        if (_selected is null || serving.All(w => w.Id != _selected))
        {
            _selected = serving.FirstOrDefault()?.Id;
        }

        var footer = _pending is { } pending ? $"[yellow]{Markup.Escape(pending.Question)} [[y/N]][/]" : TopView.Keys;
        return TopView.Render(_frame, _selected, footer, _message);
    }

    private void OnKey(ConsoleKeyInfo key)
    {
        if (_pending is { } pending)
        {
            _pending = null;
            if (key.KeyChar is 'y' or 'Y')
            {
                _action = RunActionAsync(pending.Call);
            }
            else
            {
                _message = "[grey]Cancelled.[/]";
            }

            return;
        }

        var serving = _frame!.Workers.Where(w => w.State != "spare").ToList();
        var index = serving.FindIndex(w => w.Id == _selected);
        switch (key.Key)
        {
            case ConsoleKey.UpArrow when index > 0:
                _selected = serving[index - 1].Id;
                return;
            case ConsoleKey.DownArrow when index >= 0 && index < serving.Count - 1:
                _selected = serving[index + 1].Id;
                return;
            case ConsoleKey.Q or ConsoleKey.Escape:
                _quit = true;
                return;
        }

        if (key.KeyChar is 'r' or '+' or '-' or 'c' && _action is { IsCompleted: false })
        {
            _message = "[yellow]An action is still running; wait for its outcome.[/]";
            return;
        }

        var workers = _frame.TargetWorkers;
        _pending = key.KeyChar switch
        {
            'r' => ($"Reload all {workers} worker(s) (rolling: each successor ready before its old worker drains)?", (c, p) => c.ReloadAsync(p)),
            '+' => ($"Scale from {workers} to {workers + 1} worker(s)?", (c, p) => c.ScaleByAsync(1, p)),
            '-' when workers > 1 => ($"Scale from {workers} to {workers - 1} worker(s) (the highest slot drains)?", (c, p) => c.ScaleByAsync(-1, p)),
            'c' when index >= 0 => ($"Recycle worker {serving[index].Id} (pid {serving[index].Pid}): start its successor, then drain it?", Recycle(serving[index].Id)),
            _ => null,
        };
    }

    private static Func<ControlClient, Action<ControlProgress>, Task<ControlResult>> Recycle(int workerId) =>
        (client, progress) => client.RecycleAsync(workerId, progress);

    private async Task RunActionAsync(Func<ControlClient, Action<ControlProgress>, Task<ControlResult>> call)
    {
        try
        {
            var result = await call(sampler.Client, progress => _message = $"[grey]{DateTime.Now:HH:mm:ss}[/] {Markup.Escape(progress.Message)}").ConfigureAwait(false);
            _message = result.Succeeded ? $"[green]{Markup.Escape(Describe(result))}[/]" : $"[red]{Markup.Escape(Describe(result))}[/]";
        }
        catch (Exception ex) when (ex is ControlConnectException or ControlRefusedException or IOException or InvalidDataException)
        {
            _message = $"[red]{Markup.Escape(ex.Message)}[/]";
        }
    }

    private static string Describe(ControlResult result) => result switch
    {
        { Operation: "reload", Succeeded: true } => $"Reloaded: generation {result.Generation}.",
        { Operation: "recycle", Succeeded: true } => $"Recycled: the successor runs generation {result.Generation}.",
        { Operation: "scale", Outcome: "unchanged" } => $"Already {result.Workers} worker(s).",
        { Operation: "scale", Succeeded: true } => $"Scaled from {result.Previous} to {result.Workers} worker(s).",
        _ => $"{result.Operation} {result.Outcome}: {result.Message}",
    };
}
