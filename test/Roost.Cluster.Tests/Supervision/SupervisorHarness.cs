using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Roost.Clustering.Internal.Supervision;
using Roost.Testing;

namespace Roost.Cluster.Tests.Supervision;

/// <summary>
/// A real <see cref="Supervisor"/> on a <see cref="FakeTimeProvider"/> whose workers are stand-ins
/// (<see cref="StandInWorkerLauncher"/>): the loop, the restart policy, the timers and the kills are the production
/// ones; only the OS process start is replaced. Disposal stops the supervisor and kills every stand-in.
/// </summary>
internal sealed class SupervisorHarness : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly StandInWorkerLauncher _launcher = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _barriers = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<WorkerExitedEventArgs>> _exits = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _listening = new();

    public SupervisorHarness(Action<ClusterOptions>? configure = null)
    {
        _loggerFactory = Logs.CreateFactory();
        var options = new ClusterOptions
        {
            RespawnWorkers = true,
            HotSpares = 0,
            ListenerSharing = ListenerSharingMode.Shared,
            LoggerFactory = _loggerFactory,

            // Long unless a test is about them: the clock only moves when a test advances it.
            HeartbeatInterval = TimeSpan.FromHours(1),
            BootTimeout = TimeSpan.FromHours(1),
            WorkerStartInfo = () => new ProcessStartInfo("sleep", "600"),
        };
        configure?.Invoke(options);
        Supervisor = new Supervisor(options, Time, _launcher);
        Supervisor.MessageReceived += (_, e) =>
        {
            if (e.Message.ValueKind == System.Text.Json.JsonValueKind.String && _barriers.TryRemove(e.Message.GetString()!, out var barrier))
            {
                barrier.TrySetResult();
            }
        };
        Supervisor.WorkerListening += (_, e) => ListeningOf(e.Worker.Id).TrySetResult();
        Supervisor.WorkerExited += (_, e) =>
        {
            _launcher.All.FirstOrDefault(w => w.Id == e.Worker.Id)?.MarkExited();
            ExitOf(e.Worker.Id).TrySetResult(e);
        };
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public CapturingLoggerProvider Logs { get; } = new();

    public Supervisor Supervisor { get; }

    public StandInWorkerLauncher Launcher => _launcher;

    /// <summary>Forks a worker and returns its stand-in (not yet online).</summary>
    public async Task<StandInWorker> ForkAsync(IReadOnlyDictionary<string, string?>? environment = null)
    {
        var worker = Supervisor.Fork(environment);
        var standIn = await _launcher.NextAsync(Timeout);
        Assert.Equal(worker.Id, standIn.Id);
        return standIn;
    }

    /// <summary>Makes <paramref name="worker"/> report online and listening, and waits until the supervisor counts it as ready.</summary>
    public async Task MakeReadyAsync(StandInWorker worker)
    {
        worker.Online();
        await ListeningAsync(worker);
    }

    /// <summary>Makes <paramref name="worker"/> (already online) report listening, and waits until the supervisor counts it as ready.</summary>
    public async Task ListeningAsync(StandInWorker worker)
    {
        worker.Listening();
        await ListeningOf(worker.Id).Task.WaitAsync(Timeout);
    }

    public async Task<StandInWorker> ForkReadyAsync(IReadOnlyDictionary<string, string?>? environment = null)
    {
        var worker = await ForkAsync(environment);
        await MakeReadyAsync(worker);
        return worker;
    }

    /// <summary>
    /// Returns once the supervisor loop has handled everything posted before this call: a user message sent through
    /// <paramref name="via"/> comes after them in the loop's queue (timer ticks are posted inside
    /// <see cref="FakeTimeProvider.Advance"/>, IPC messages in the order the channel delivers them).
    /// </summary>
    public async Task SyncAsync(StandInWorker via)
    {
        var marker = Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
        var barrier = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _barriers[marker] = barrier;
        via.SendUserMessage(marker);
        await barrier.Task.WaitAsync(Timeout);
    }

    /// <summary>Waits for the next process the supervisor starts (worker or hot spare).</summary>
    public Task<StandInWorker> NextStartedAsync() => _launcher.NextAsync(Timeout);

    /// <summary>Asserts that the loop, once it handled everything posted so far, started no process not yet taken.</summary>
    public async Task AssertNothingStartedAsync(StandInWorker via, string because)
    {
        await SyncAsync(via);
        Assert.False(_launcher.HasUntaken, because);
    }

    /// <summary>Gets the supervisor's snapshot of the instance (target, operation, each process with its slot and state), built on the loop.</summary>
    public Task<Roost.Clustering.Internal.Metrics.MetricsSnapshot> SnapshotAsync() => Supervisor.GetMetricsAsync().WaitAsync(Timeout);

    public Task<WorkerExitedEventArgs> ExitedAsync(StandInWorker worker) => ExitOf(worker.Id).Task.WaitAsync(Timeout);

    public bool HasExited(StandInWorker worker) => ExitOf(worker.Id).Task.IsCompleted;

    public IReadOnlyList<CapturingLoggerProvider.LogEntry> LogsOf(int eventId) => [.. Logs.Entries.Where(e => e.EventId.Id == eventId)];

    /// <summary>Waits until <paramref name="count"/> lines with <paramref name="eventId"/> were logged and returns the last one.</summary>
    public async Task<CapturingLoggerProvider.LogEntry> WaitForLogAsync(int eventId, int count = 1)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var entries = LogsOf(eventId);
            if (entries.Count >= count)
            {
                return entries[count - 1];
            }

            Assert.True(deadline.Elapsed < Timeout, $"Event {eventId} was logged {entries.Count} time(s), expected {count}. Log:\n{string.Join('\n', Logs.Entries.Select(e => e.Message))}");
            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Supervisor.HasForked && !Supervisor.Completion.IsCompleted)
        {
            Supervisor.RequestStop();
        }

        foreach (var worker in _launcher.All)
        {
            worker.Kill();
        }

        try
        {
            if (Supervisor.HasForked)
            {
                await Supervisor.Completion.WaitAsync(Timeout);
            }
        }
        finally
        {
            foreach (var worker in _launcher.All)
            {
                worker.Dispose();
            }

            _loggerFactory.Dispose();

            // The supervisor sets the process exit code as a primary would; this process is the test runner.
            Environment.ExitCode = 0;
        }
    }

    private TaskCompletionSource<WorkerExitedEventArgs> ExitOf(int id) =>
        _exits.GetOrAdd(id, _ => new TaskCompletionSource<WorkerExitedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously));

    private TaskCompletionSource ListeningOf(int id) =>
        _listening.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
